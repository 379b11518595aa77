"""Identities, transactions, the deterministic contract and the tamper-evident log."""
