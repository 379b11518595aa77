"""Signed, durable messaging of leads, filings and alerts between nodes."""
