"""Engine and session set-up, shared by every domain's models."""

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    Enum,
    Select,
    String,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator
from ulid import ULID

from ipfed.nodes.errors import NotFound


def new_id() -> str:
    return str(ULID())


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [a + b for a in _CROCKFORD for b in _CROCKFORD]  # 10 bits -> 2 characters
_STEP_BITS = 20  # the last 4 characters of a ULID


def new_ids(count: int) -> list[str]:
    """``count`` increasing ULIDs of one millisecond, cheaply, for bulk inserts.

    The ULID spec's monotonic generation: one random value whose low 20 bits
    count up. The other 60 random bits are drawn afresh for each call (not
    taken from ``ULID()``, which only adds one within a millisecond), so two
    calls in the same millisecond do not share ids.
    """
    if count > 1 << _STEP_BITS:
        raise ValueError(f"at most {1 << _STEP_BITS} ids at a time")
    millis = time.time_ns() // 1_000_000
    first = millis << 80 | secrets.randbits(80 - _STEP_BITS) << _STEP_BITS
    prefix = str(ULID.from_int(first))[:-4]
    return [prefix + _PAIRS[step >> 10] + _PAIRS[step & 1023] for step in range(count)]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on both backends (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; ipfed stores timezone-aware UTC only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(cls: type[StrEnum], name: str) -> Enum:
    """A VARCHAR column with a CHECK constraint holding the enum's values."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        values_callable=lambda e: [m.value for m in e],
    )


class Base(DeclarativeBase):
    pass


class RecordMixin:
    """ULID primary key and creation time, common to every stored record."""

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin,
    # so that SAVEPOINTs and rollbacks behave as on PostgreSQL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable in WAL mode across app crashes
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: bulk imports touch many index pages
    cursor.close()


# Execution options of a session that writes. On SQLite its transaction takes the write
# lock as it begins, so a second writer waits for it (busy_timeout); a transaction begun
# deferred that reads first cannot take the lock once another has written, and fails
# at once with "database is locked". Readers begin deferred and, in WAL mode, wait for
# no one.
WRITES: dict[str, Any] = {"sqlite_begin": "IMMEDIATE"}


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'DEFERRED')}")


def make_engine(url: str, **kwargs: Any) -> Engine:
    # Errors do not carry the statement's values (names, credit codes) into logs or
    # stored errors.
    engine = create_engine(url, hide_parameters=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def error_text(exc: BaseException) -> str:
    """The error's message, fit to log or store: of a database error only its first
    line, as PostgreSQL's detail lines quote the row's values (names, credit codes)."""
    if isinstance(exc, DBAPIError):
        first_line = next(iter(str(exc.orig).splitlines()), "")
        return f"database error ({type(exc.orig).__name__}): {first_line}"
    return str(exc)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that writes, committed on success and rolled back on any error."""
    with factory(execution_options=WRITES) as session, session.begin():
        yield session


M = TypeVar("M", bound=RecordMixin)


def page_of(model: type[M], *, after: str | None, limit: int) -> Select[M]:
    """Records in id (creation) order, from just after the cursor ``after``."""
    query = select(model).order_by(model.id).limit(limit)
    return query.where(model.id > after) if after else query


R = TypeVar("R", bound=Base)


def get_or_404(
    db: Session, model: type[R], key: Any, *, message: str, code: str | None = None
) -> R:
    """The ``model`` row of primary key ``key``, or :class:`NotFound` (a 404) with ``message``."""
    row = db.get(model, key)
    if row is None:
        raise NotFound(message, code=code)
    return row
