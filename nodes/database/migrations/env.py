"""Alembic environment: runs online against the engine the caller passes in."""

from alembic import context
from sqlalchemy import Engine

from ipfed.nodes.database.models import metadata

engine: Engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite
        compare_type=True,
    )
    context.run_migrations()
