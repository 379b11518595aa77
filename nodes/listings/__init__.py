"""Listings: online observations and trade-fair exhibits, the input of detection."""
