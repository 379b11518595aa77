"""Bulk import of CSV and JSONL files into the basic databases."""
