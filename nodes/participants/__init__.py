"""Market participants: enterprises and sellers, with their platform shops."""
