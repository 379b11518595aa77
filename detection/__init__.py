"""The screening engine: pure, no database, no web framework, no network."""
