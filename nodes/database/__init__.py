"""Engine, sessions, shared column types and Alembic migrations."""
