"""Key products and services under protection, and the rights they embody."""
