"""Infringement adjudications: the basis of the risk directories."""
