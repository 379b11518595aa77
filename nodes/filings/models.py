"""Filings: every version of every plan, summary and report, and the receipts for them.

A regional node holds its own filings (drafts, then signed and submitted
versions); the national node holds the versions it received. A submitted
version is never changed: a correction is a new version that names the one it
supersedes.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipfed.nodes.accounts.models import Account
from ipfed.nodes.database.core import Base, RecordMixin, UTCDateTime, str_enum
from ipfed.nodes.filings.calendar import FilingKind


class FilingState(StrEnum):
    DRAFT = "draft"  # being written; the only state in which a filing changes
    SUBMITTED = "submitted"  # signed and sent; no receipt yet
    ACKNOWLEDGED = "acknowledged"  # the national office's signed receipt is here
    REFUSED = "refused"  # the national office refused it (delivery_error says why): correct it
    RECEIVED = "received"  # at the national node: a region's filing, verified and stored


class Filing(RecordMixin, Base):
    __tablename__ = "filings"
    __table_args__ = (UniqueConstraint("region_code", "kind", "period", "version"),)

    region_code: Mapped[str] = mapped_column(String(6), index=True)
    office: Mapped[str] = mapped_column(String(300))
    kind: Mapped[FilingKind] = mapped_column(str_enum(FilingKind, "filing_kind"))
    period: Mapped[str] = mapped_column(String(7), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # The version this one corrects (at the national node, maybe one it refused and lacks).
    supersedes_id: Mapped[str | None] = mapped_column(String(26))
    state: Mapped[FilingState] = mapped_column(str_enum(FilingState, "filing_state"))
    title: Mapped[str] = mapped_column(String(300))
    statistics: Mapped[dict[str, Any]] = mapped_column(JSON)
    sections: Mapped[dict[str, str]] = mapped_column(JSON)
    typical_cases: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # Once signed: the canonical bytes of the signed filing, and the SHA-256 of its document.
    signed: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery_error: Mapped[str | None] = mapped_column(Text)  # the last failure, or refusal
    # The person who submitted it, signed in to the console (None: an API key or the CLI).
    submitted_by_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    submitted_by: Mapped[Account | None] = relationship(lazy="joined")
    # At the national node: when it arrived, and its filing.received entry in the ledger.
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ledger_position: Mapped[int | None] = mapped_column(BigInteger)


class FilingReceipt(Base):
    """The national office's signed receipt for one filing version (kept on both sides)."""

    __tablename__ = "filing_receipts"

    filing_id: Mapped[str] = mapped_column(ForeignKey("filings.id"), primary_key=True)
    received_by: Mapped[str] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ledger_position: Mapped[int] = mapped_column(BigInteger)  # the filing.receipt entry
    signed: Mapped[bytes] = mapped_column(LargeBinary)
