"""Client library for platforms, fairs and other nodes.

Imports only the base install (pydantic, cryptography): a platform verifying
marks never pulls in the node's server dependencies.
"""
