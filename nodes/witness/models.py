from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.nodes.database.core import Base, RecordMixin, UTCDateTime, utcnow


class Alarm(RecordMixin, Base):
    """Evidence that a log showed two histories, kept for operators and the API."""

    __tablename__ = "alarms"

    kind: Mapped[str] = mapped_column(String(50))
    origin: Mapped[str] = mapped_column(String(200), index=True)
    detail: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)  # both notes, the proof


class KnownCheckpoint(Base):
    """The largest checkpoint of another node's log this node has verified as
    consistent with everything it saw before: by cosigning it as a witness, or
    by following the peer (gossip)."""

    __tablename__ = "known_checkpoints"

    origin: Mapped[str] = mapped_column(String(200), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)  # as signed (and cosigned, if we witnessed it)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.origin, self.size, self.root)
