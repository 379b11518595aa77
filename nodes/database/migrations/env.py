"""Alembic environment: runs online against the engine the caller passes in."""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Engine

from ipfed.nodes.database.core import UTCDateTime
from ipfed.nodes.database.models import metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our own column types into new revisions with their import."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("from ipfed.nodes.database.core import UTCDateTime")
        return "UTCDateTime()"
    return False


engine: Engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite
        render_item=render_item,
        compare_type=True,
    )
    context.run_migrations()
