"""People's accounts: who signs in to the console, their sessions, and who read or changed what."""
