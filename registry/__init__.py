"""Electronic IP marks and the official identifiers of the rights they mark."""
