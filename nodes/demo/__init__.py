"""The demo federation: a national node and two regional nodes on loopback."""
