"""The node's own transparency log, stored in its database."""
