"""IP rights profile: patents, trademarks and geographical indications."""
