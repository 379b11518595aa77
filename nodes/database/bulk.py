"""Bulk writes for imports: COPY on PostgreSQL, multi-row INSERTs on SQLite.

Both bypass SQLAlchemy's per-row statement machinery (an import's main cost)
but apply each column type's bind processing, so rows are stored exactly as
the ORM would store them. Rows come as dicts with the same keys, or as columns
(one list of values per column name, cheaper for large batches); columns left
out are NULL.
"""

import sqlite3
from collections import defaultdict
from collections.abc import Collection, Sequence
from itertools import chain
from typing import Any, cast

from psycopg.errors import UniqueViolation
from psycopg.types.json import Json
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
)
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from ipfed.nodes.database.core import Base, UTCDateTime, new_ids, utcnow
from ipfed.nodes.errors import Conflict

Row = dict[str, Any]
Columns = dict[str, list[Any]]  # column name -> its value in each row, every list as long
Rows = Sequence[Row] | Columns
Target = type[Base] | Table  # a mapped class, or a plain table such as an association


def _table(target: Target) -> Table:
    return target if isinstance(target, Table) else cast(Table, target.__table__)


def _as_columns(rows: Rows) -> Columns:
    if isinstance(rows, dict):
        return rows
    return {name: [row[name] for row in rows] for name in rows[0]} if rows else {}


def row_count(columns: Columns) -> int:
    return len(next(iter(columns.values()), []))


def stamped(columns: Columns) -> Columns:
    """The columns with a new ``id`` and the one ``created_at`` for every row."""
    count = row_count(columns)
    stamps: Columns = {"id": new_ids(count), "created_at": [utcnow()] * count}
    return stamps | columns


def without(columns: Columns, positions: Collection[int]) -> Columns:
    """The columns less the rows at ``positions``."""
    if not positions:
        return dict(columns)
    left_out = set(positions)
    return {
        name: [v for i, v in enumerate(values) if i not in left_out]
        for name, values in columns.items()
    }


def bulk_insert(db: Session, target: Target, rows: Rows) -> None:
    columns = _as_columns(rows)
    if not row_count(columns):
        return
    table = _table(target)
    connection = _connection(db)
    if connection.dialect.name == "postgresql":
        _copy(connection, table, columns)
    else:
        _insert_values(connection, table, columns)


def insert_new(db: Session, target: Target, rows: Rows, unique: tuple[str, ...]) -> list[int]:
    """Insert the rows whose ``unique`` columns match no stored row (nor an earlier
    row of ``rows``); return the positions of the rows left out as duplicates."""
    columns = _as_columns(rows)
    if not row_count(columns):
        return []
    table = _table(target)
    connection = _connection(db)
    keys = list(zip(*(columns[c] for c in unique), strict=True))
    wanted = {key for key in keys if None not in key}  # NULLs never conflict
    if connection.dialect.name == "postgresql":
        seen = _stored_keys_postgresql(connection, table, unique, wanted)
    else:
        seen = _stored_keys_sqlite(connection, table, unique, wanted)
    duplicates = []
    if seen or len(wanted) < len(keys):  # else every row is new and its key distinct
        for position, key in enumerate(keys):
            if key in seen:
                duplicates.append(position)
            elif None not in key:
                seen.add(key)
    try:
        bulk_insert(db, table, without(columns, duplicates))
    except UniqueViolation:  # another transaction stored one of the keys since the check
        raise Conflict(
            f"{table.name} changed while these rows were written; try again",
            code="concurrent_write",
        ) from None
    return duplicates


def _stored_keys_postgresql(
    connection: Connection, table: Table, unique: tuple[str, ...], keys: set[tuple[Any, ...]]
) -> set[tuple[Any, ...]]:
    """Which ``keys`` are stored: one index probe per key.

    The ``LIMIT 1`` subquery keeps the probes apart; a plain ``IN`` or join
    lets the planner, whose statistics do not know the rows an import has
    added so far, scan the whole growing table once per batch.
    """
    if not keys:
        return set()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    names = [quote(c) for c in unique]
    # Arrays of text, not of VARCHAR(n): a cast to VARCHAR(n) cuts longer values short.
    types = [
        "text" if isinstance(table.c[c].type, String) else table.c[c].type.compile(dialect)
        for c in unique
    ]
    arrays = ", ".join(f"%s::{name}[]" for name in types)
    match = " AND ".join(f"t.{name} = k.{name}" for name in names)
    sql = (
        f"SELECT k.* FROM unnest({arrays}) AS k({', '.join(names)}) CROSS JOIN LATERAL "
        f"(SELECT FROM {quote(table.name)} AS t WHERE {match} LIMIT 1) AS stored"
    )
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(sql, [list(values) for values in zip(*keys, strict=True)])
        return set(cursor.fetchall())


def _stored_keys_sqlite(
    connection: Connection, table: Table, unique: tuple[str, ...], keys: set[tuple[Any, ...]]
) -> set[tuple[Any, ...]]:
    """Which ``keys`` are stored. Keys are grouped by all but their last
    column so that each query is ``a = ? AND b IN (...)``, which SQLite answers
    from the unique index (it scans the whole index for a row-value ``(a, b) IN``)."""
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for key in keys:
        groups[key[:-1]].append(key[-1])
    quote = connection.dialect.identifier_preparer.quote
    names = [quote(c) for c in unique]
    driver = connection.connection.driver_connection
    most = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - len(unique)  # type: ignore[union-attr]
    stored: set[tuple[Any, ...]] = set()
    for prefix, lasts in groups.items():
        where = "".join(f"{name} = ? AND " for name in names[:-1])
        for first in range(0, len(lasts), most):
            chunk = lasts[first : first + most]
            sql = (
                f"SELECT {', '.join(names)} FROM {quote(table.name)} "
                f"WHERE {where}{names[-1]} IN ({', '.join('?' * len(chunk))})"
            )
            stored.update(driver.execute(sql, (*prefix, *chunk)))  # type: ignore[union-attr]
    return stored


def _connection(db: Session) -> Connection:
    db.flush()  # pending ORM writes land first, as they would without the bypass
    return db.connection()


def _copy(connection: Connection, table: Table, columns: Columns) -> None:
    """Binary COPY: each value goes as its column's type takes it, with no text to
    format here or parse on the server (a third of the client's time of text COPY)."""
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(map(quote, columns))
    values = [
        list(map(Json, column)) if isinstance(table.c[name].type, JSON) else column
        for name, column in columns.items()
    ]
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        described = cursor.execute(f"SELECT {names} FROM {quote(table.name)} LIMIT 0").description
        with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([column.type_code for column in described])
            for row in zip(*values, strict=True):
                copy.write_row(row)


def _insert_values(connection: Connection, table: Table, columns: Columns) -> None:
    """Multi-row ``INSERT ... VALUES (...), (...)``: one statement step stores as
    many rows as SQLite takes parameters, about twice the rows per second of
    ``executemany``, which steps once per row."""
    dialect = connection.dialect
    names = list(columns)
    converted = [
        _sqlite_values(column, table.c[name].type, dialect) for name, column in columns.items()
    ]
    values = list(chain.from_iterable(zip(*converted, strict=True)))
    count = row_count(columns)

    driver = connection.connection.driver_connection
    width = len(names)
    most = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width  # type: ignore[union-attr]
    quote = dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, names))}) VALUES "
    row = f"({', '.join('?' * width)})"
    cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        for first in range(0, count, most):
            size = min(most, count - first)
            # Whole statements repeat across calls: sqlite3 keeps them prepared.
            cursor.execute(
                head + ", ".join([row] * size), values[first * width : (first + size) * width]
            )
    finally:
        cursor.close()


def _sqlite_values(column: list[Any], column_type: TypeEngine[Any], dialect: Dialect) -> list[Any]:
    """The values as SQLAlchemy would bind them. Strings, enums (CHECK constraints
    guard them), integers and booleans go to sqlite3 as they are."""
    if isinstance(column_type, String | Integer | Boolean):
        return column
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    if processor is None:
        return column
    if isinstance(column_type, Date | DateTime | UTCDateTime):
        # Dates repeat across rows (a batch shares one created_at): format each
        # distinct one once, then look them all up.
        formatted = {value: processor(value) for value in set(column) if value is not None}
        formatted[None] = None
        return list(map(formatted.__getitem__, column))
    return [None if value is None else processor(value) for value in column]
