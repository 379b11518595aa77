"""Bulk writes for imports: COPY on PostgreSQL, multi-row INSERTs on SQLite.

Both bypass SQLAlchemy's per-row statement machinery (an import's main cost)
but apply each column type's bind processing, so rows are stored exactly as
the ORM would store them. All rows of a call must have the same keys.
"""

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Dialect,
    Integer,
    String,
    Table,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from ipfed.nodes.database.core import Base, UTCDateTime

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
        _insert_values(connection, table, rows)
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


def _insert_values(connection: Connection, table: Table, rows: Sequence[Row]) -> None:
    """Multi-row ``INSERT ... VALUES (...), (...)``: one statement step stores as
    many rows as SQLite takes parameters, about twice the rows per second of
    ``executemany``, which steps once per row."""
    dialect = connection.dialect
    names = list(rows[0])
    columns = []
    for name in names:
        column = [row[name] for row in rows]
        convert = _sqlite_converter(table.c[name].type, dialect)
        columns.append(column if convert is None else list(map(convert, column)))
    values = list(chain.from_iterable(zip(*columns, strict=True)))

    driver = connection.connection.driver_connection
    width = len(names)
    most = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width  # type: ignore[union-attr]
    quote = dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, names))}) VALUES "
    row = f"({', '.join('?' * width)})"
    cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        for first in range(0, len(rows), most):
            count = min(most, len(rows) - first)
            # Whole statements repeat across calls: sqlite3 keeps them prepared.
            cursor.execute(
                head + ", ".join([row] * count), values[first * width : (first + count) * width]
            )
    finally:
        cursor.close()


def _sqlite_converter(
    column_type: TypeEngine[Any], dialect: Dialect
) -> Callable[[Any], Any] | None:
    """What SQLAlchemy would bind for a column's values, or None when sqlite3 takes
    them as they are: strings, enums (CHECK constraints guard them), integers
    and booleans."""
    if isinstance(column_type, String | Integer | Boolean):
        return None
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    if processor is None:
        return None
    if not isinstance(column_type, Date | DateTime | UTCDateTime):
        return lambda value: None if value is None else processor(value)
    # Dates repeat across rows (a batch shares one created_at): format each once.
    formatted: dict[Any, Any] = {None: None}

    def convert(value: Any) -> Any:
        try:
            return formatted[value]
        except KeyError:
            formatted[value] = result = processor(value)
            return result

    return convert
