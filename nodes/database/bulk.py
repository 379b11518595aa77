"""Bulk writes for imports: COPY on PostgreSQL, the driver's executemany on SQLite.

Both bypass SQLAlchemy's per-row statement machinery (an import's main cost)
but apply each column type's bind processing, so rows are stored exactly as
the ORM would store them. All rows of a call must have the same keys.
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Integer,
    String,
    Table,
    select,
)
from sqlalchemy.orm import Session

from ipfed.nodes.database.core import Base

Row = dict[str, Any]
Target = type[Base] | Table  # a mapped class, or a plain table such as an association


def _table(target: Target) -> Table:
    return target if isinstance(target, Table) else cast(Table, target.__table__)


def bulk_insert(db: Session, target: Target, rows: Sequence[Row]) -> None:
    if not rows:
        return
    table = _table(target)
    connection = _connection(db)
    if connection.dialect.name == "postgresql":
        _copy(connection, table.name, table, rows)
    elif connection.dialect.name == "sqlite":
        _executemany(connection, table, rows)
    else:
        connection.execute(table.insert(), list(rows))


def insert_new(
    db: Session, target: Target, rows: Sequence[Row], unique: tuple[str, ...]
) -> list[int]:
    """Insert the rows whose ``unique`` columns match no stored row (nor an earlier
    row of ``rows``); return the positions of the rows left out as duplicates."""
    if not rows:
        return []
    table = _table(target)
    connection = _connection(db)
    keys = [tuple(row[c] for c in unique) for row in rows]
    if connection.dialect.name == "postgresql":
        inserted = _insert_ignoring_conflicts(connection, table, rows, unique)
        claimed: set[tuple[Any, ...]] = set()
        duplicates = []
        for position, key in enumerate(keys):
            if key in inserted and key not in claimed:
                claimed.add(key)
            elif None not in key:  # NULLs never conflict
                duplicates.append(position)
        return duplicates
    seen = _stored_keys(connection, table, unique, {k for k in keys if None not in k})
    fresh, duplicates = [], []
    for position, (row, key) in enumerate(zip(rows, keys, strict=True)):
        if key in seen:
            duplicates.append(position)
            continue
        if None not in key:
            seen.add(key)
        fresh.append(row)
    bulk_insert(db, table, fresh)
    return duplicates


def _stored_keys(
    connection: Connection, table: Table, unique: tuple[str, ...], keys: set[tuple[Any, ...]]
) -> set[tuple[Any, ...]]:
    """Which ``keys`` are stored. Keys are grouped by all but their last column so
    that each query is ``a = ? AND b IN (...)``, which SQLite answers from the
    unique index (it scans the whole index for a row-value ``(a, b) IN``)."""
    columns = [table.c[c] for c in unique]
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for key in keys:
        groups[key[:-1]].append(key[-1])
    stored: set[tuple[Any, ...]] = set()
    for prefix, lasts in groups.items():
        query = select(*columns).where(
            *(column == value for column, value in zip(columns, prefix, strict=False)),
            columns[-1].in_(lasts),
        )
        stored.update(tuple(row) for row in connection.execute(query))
    return stored


def _connection(db: Session) -> Connection:
    db.flush()  # pending ORM writes land first, as they would without the bypass
    return db.connection()


def _copy(connection: Connection, target: str, table: Table, rows: Sequence[Row]) -> None:
    columns = list(rows[0])
    as_json = [isinstance(table.c[name].type, JSON) for name in columns]
    names = ", ".join(f'"{name}"' for name in columns)
    driver = connection.connection.driver_connection
    with (
        driver.cursor() as cursor,  # type: ignore[union-attr]
        cursor.copy(f'COPY "{target}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(
                [json.dumps(row[c]) if j else row[c] for c, j in zip(columns, as_json, strict=True)]
            )


def _insert_ignoring_conflicts(
    connection: Connection, table: Table, rows: Sequence[Row], unique: tuple[str, ...]
) -> set[tuple[Any, ...]]:
    """COPY into a staging table, then let the unique index sort out duplicates.

    Probing the index row by row keeps every batch as fast as the first; a
    ``WHERE key IN (...)`` check degrades as the uncommitted table grows past
    what the planner's statistics know.
    """
    staging = f"import_{table.name}"
    driver = connection.connection.driver_connection
    names = ", ".join(f'"{name}"' for name in rows[0])
    keys = ", ".join(f'"{name}"' for name in unique)
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" '
            f'(LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DROP'
        )
        cursor.execute(f'TRUNCATE "{staging}"')
    _copy(connection, staging, table, rows)
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        # ctid order is COPY order: the first of two duplicates wins.
        cursor.execute(
            f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{staging}" '
            f"ORDER BY ctid ON CONFLICT ({keys}) DO NOTHING RETURNING {keys}"
        )
        return {tuple(row) for row in cursor.fetchall()}


def _executemany(connection: Connection, table: Table, rows: Sequence[Row]) -> None:
    dialect = connection.dialect
    compiled = table.insert().compile(dialect=dialect, column_keys=list(rows[0]))
    order = compiled.positiontup or []
    values = itemgetter(*order)
    # Strings, enums (CHECK constraints guard them), integers and booleans go
    # to sqlite3 as they are; the other types need SQLAlchemy's format.
    processors = [
        (position, processor, table.c[name].type.python_type in (date, datetime))
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
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(str(compiled), params)
    finally:
        cursor.close()
