"""Bulk inserts: COPY on PostgreSQL, executemany elsewhere. Rows must share their keys."""

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session


def bulk_insert(db: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    if db.get_bind().dialect.name != "postgresql":
        db.execute(table.insert(), list(rows))
        return
    columns = list(rows[0])
    as_json = [isinstance(table.c[name].type, JSON) for name in columns]
    db.flush()  # COPY goes around the ORM: pending ORM writes must land first
    cursor = db.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    names = ", ".join(f'"{name}"' for name in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[c]) if j else row[c] for c, j in zip(columns, as_json, strict=True)]
            )
