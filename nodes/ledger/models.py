from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipfed.nodes.database.core import Base, UTCDateTime, utcnow


class LogEntry(Base):
    """Entry ``position`` of the node's log: the canonical bytes of a transaction."""

    __tablename__ = "ledger_entries"

    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class LogNode(Base):
    """The hash of a complete subtree: leaves [index * 2**level, (index + 1) * 2**level)."""

    __tablename__ = "ledger_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class StateEntry(Base):
    """One key of the contract's state (see ipfed.ledger.contract)."""

    __tablename__ = "ledger_state"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class StoredCheckpoint(Base):
    """A signed checkpoint of this node's log, as a C2SP signed note."""

    __tablename__ = "ledger_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    note: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
