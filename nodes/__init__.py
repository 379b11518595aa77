"""The node application: configuration, databases, API, CLI and the demo federation."""
