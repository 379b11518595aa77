from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipfed.exchange.messages import LeadKind
from ipfed.nodes.accounts.models import Account
from ipfed.nodes.database.core import Base, RecordMixin, UTCDateTime, str_enum, utcnow
from ipfed.nodes.listings.models import Listing


class LeadStatus(StrEnum):
    SUSPECTED = "suspected"  # waiting in the review queue
    NEEDS_INFO = "needs_info"  # a reviewer asked for more information
    CONFIRMED = "confirmed"  # may be pushed to whoever must act
    REJECTED = "rejected"


class Decision(StrEnum):
    CONFIRM = "confirm"
    REJECT = "reject"
    REQUEST_INFO = "request_info"


class TaskStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class TaskOrigin(StrEnum):
    RIGHTS_HOLDER = "rights_holder"  # through an assistance or protection centre
    AUTHORITY = "authority"  # a local office for its industries
    NATIONAL = "national"  # priority fields and regions
    STREAM = "stream"  # new listings as they arrive


class Evidence(RecordMixin, Base):
    """A snapshot of what was seen: its canonical bytes, hashed and anchored on the ledger."""

    __tablename__ = "evidence"

    listing_id: Mapped[str] = mapped_column(ForeignKey("listings.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    snapshot: Mapped[bytes] = mapped_column(LargeBinary)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ledger_position: Mapped[int | None] = mapped_column(BigInteger)
    images: Mapped[list["EvidenceImage"]] = relationship(
        cascade="all, delete-orphan", order_by="EvidenceImage.position", lazy="selectin"
    )


class EvidenceImage(Base):
    __tablename__ = "evidence_images"

    evidence_id: Mapped[str] = mapped_column(
        ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    uri: Mapped[str] = mapped_column(String(2000))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class DetectionTask(RecordMixin, Base):
    __tablename__ = "detection_tasks"

    origin: Mapped[TaskOrigin] = mapped_column(str_enum(TaskOrigin, "task_origin"))
    requested_by: Mapped[str] = mapped_column(String(300))
    scope: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus, "task_status"))
    total: Mapped[int] = mapped_column(Integer, default=0)
    screened: Mapped[int] = mapped_column(Integer, default=0)
    leads: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[str | None] = mapped_column(String(26))  # the last listing screened
    error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Lead(RecordMixin, Base):
    __tablename__ = "leads"
    # Screening the same listing again finds the same lead, not a new one.
    __table_args__ = (UniqueConstraint("listing_id", "kind", "right_ref"),)

    listing_id: Mapped[str] = mapped_column(ForeignKey("listings.id"), index=True)
    kind: Mapped[LeadKind] = mapped_column(str_enum(LeadKind, "lead_kind"))
    right_id: Mapped[str | None] = mapped_column(ForeignKey("rights.id"), index=True)
    right_ref: Mapped[str] = mapped_column(String(64))  # the mark or number as the listing has it
    score: Mapped[float] = mapped_column(Float)
    priority: Mapped[float] = mapped_column(Float, index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON)  # English sentences, as pushed
    # The same reasons as codes and parameters (ipfed.detection.reasons), for showing
    # them in a reader's language; None for leads found before reasons had codes.
    reason_codes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    status: Mapped[LeadStatus] = mapped_column(str_enum(LeadStatus, "lead_status"), index=True)
    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"))
    task_id: Mapped[str | None] = mapped_column(ForeignKey("detection_tasks.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6))  # jurisdiction, by tracing
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ledger_position: Mapped[int | None] = mapped_column(BigInteger)  # lead.recorded
    # Queued for the organisations that must act on it (see push.py).
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    listing: Mapped[Listing] = relationship(lazy="joined")
    evidence: Mapped[Evidence] = relationship(lazy="joined")


class Review(RecordMixin, Base):
    """One reviewer's decision on a lead, kept for the record and for precision figures."""

    __tablename__ = "lead_reviews"

    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    reviewer: Mapped[str] = mapped_column(String(300))
    decision: Mapped[Decision] = mapped_column(str_enum(Decision, "review_decision"))
    reason: Mapped[str] = mapped_column(Text)
    # The person who decided, signed in to the console; None for an API key's review.
    person_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    person: Mapped[Account | None] = relationship(lazy="joined")


class MonitoringEntry(Base):
    """One subject of a monitoring directory, as last computed."""

    __tablename__ = "monitoring_entries"
    __table_args__ = (UniqueConstraint("directory", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    directory: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(300))
    weight: Mapped[float] = mapped_column(Float)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
