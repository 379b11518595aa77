"""Bulk inserts for imports: COPY on PostgreSQL, the driver's executemany on SQLite.

Both bypass SQLAlchemy's per-row statement machinery (the import's main cost)
but apply each column type's bind processing, so rows are stored exactly as
the ORM would store them. Rows must all have the same keys.
"""

import json
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, String, Table
from sqlalchemy.orm import Session


def bulk_insert(db: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    db.flush()  # pending ORM writes land first, as they would without the bypass
    connection = db.connection()
    dialect = connection.dialect
    columns = list(rows[0])
    driver = connection.connection.driver_connection
    if dialect.name == "postgresql":
        as_json = [isinstance(table.c[name].type, JSON) for name in columns]
        names = ", ".join(f'"{name}"' for name in columns)
        with (
            driver.cursor() as cursor,  # type: ignore[union-attr]
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c]) if j else row[c]
                        for c, j in zip(columns, as_json, strict=True)
                    ]
                )
    elif dialect.name == "sqlite":
        compiled = table.insert().compile(dialect=dialect, column_keys=columns)
        order = compiled.positiontup or []
        values = itemgetter(*order)
        # Strings, enums (CHECK constraints guard them), integers and booleans
        # go to sqlite3 as they are; the other types need SQLAlchemy's format.
        processors = [
            (position, processor, isinstance(table.c[name].type, Date | DateTime))
            for position, name in enumerate(order)
            if not isinstance(table.c[name].type, String | Integer | Boolean)
            and (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
            is not None
        ]
        params: list[Any] = [values(row) for row in rows]
        if processors:
            # Dates repeat across rows (a batch shares one created_at): format
            # each distinct one once.
            formatted: dict[Any, Any] = {}
            for index, row_values in enumerate(params):
                converted = list(row_values)
                for position, processor, repeats in processors:
                    value = converted[position]
                    if value is None:
                        continue
                    if not repeats:
                        converted[position] = processor(value)
                    elif (key := (position, value)) in formatted:
                        converted[position] = formatted[key]
                    else:
                        converted[position] = formatted[key] = processor(value)
                params[index] = converted
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(str(compiled), params)
        finally:
            cursor.close()
    else:
        connection.execute(table.insert(), list(rows))
