"""The web console: server-rendered pages served by the node, every asset its own."""
