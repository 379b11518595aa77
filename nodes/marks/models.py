"""Electronic IP marks, their unit codes, lifecycle events (scans included) and
clone alerts."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipfed.nodes.accounts.models import Account
from ipfed.nodes.database.core import Base, RecordMixin, UTCDateTime, str_enum, utcnow
from ipfed.nodes.licences.models import Licence
from ipfed.nodes.rights.models import Right
from ipfed.registry.clones import Trust
from ipfed.registry.lifecycle import MarkStatus


class BizStep(StrEnum):
    """The business steps of a mark's life: CBV 2.0 terms, and ours (``ipfed:``) where
    the CBV has none."""

    COMMISSIONING = "commissioning"  # a mark issued, or a batch of unit codes
    LICENSING = "ipfed:licensing"  # a mark scoped to a licensee
    RETAIL_SELLING = "retail_selling"  # a platform verified a listing's mark
    INSPECTING = "inspecting"  # exhibition registration and patrol scans
    SUSPENDING = "ipfed:suspending"
    REINSTATING = "ipfed:reinstating"
    DECOMMISSIONING = "decommissioning"  # revoked, or expired with its right
    DESTROYING = "destroying"  # seized counterfeit units destroyed


class Mark(RecordMixin, Base):
    __tablename__ = "marks"

    right_id: Mapped[str] = mapped_column(ForeignKey("rights.id"), index=True)
    licence_id: Mapped[str | None] = mapped_column(ForeignKey("licences.id"), index=True)
    issuer_key_id: Mapped[str] = mapped_column(String(64))
    holder: Mapped[str] = mapped_column(String(300))
    holder_uscc: Mapped[str] = mapped_column(String(18))
    licensee: Mapped[str | None] = mapped_column(String(300))
    licensee_uscc: Mapped[str | None] = mapped_column(String(18))
    nice_class_mask: Mapped[int | None] = mapped_column(BigInteger)
    locarno_class: Mapped[str | None] = mapped_column(String(5))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[MarkStatus] = mapped_column(str_enum(MarkStatus, "mark_status"), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Random position in the office's status lists; unique, so never reused.
    status_index: Mapped[int] = mapped_column(Integer, unique=True)
    token: Mapped[str] = mapped_column(Text)

    right: Mapped[Right] = relationship(lazy="joined")
    licence: Mapped[Licence | None] = relationship(lazy="joined")

    @property
    def nice_classes(self) -> list[int]:
        mask = self.nice_class_mask or 0
        return [c for c in range(1, 46) if mask >> c & 1]


class UnitBatch(RecordMixin, Base):
    """A production batch for which a holder or licensee asked for unit codes."""

    __tablename__ = "unit_batches"

    mark_id: Mapped[str] = mapped_column(ForeignKey("marks.id"), index=True)
    batch_number: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    requested_by: Mapped[str] = mapped_column(String(300))


class UnitCode(Base):
    __tablename__ = "unit_codes"

    serial: Mapped[str] = mapped_column(String(16), primary_key=True)  # 80 random bits, base32
    mark_id: Mapped[str] = mapped_column(ForeignKey("marks.id"), index=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("unit_batches.id"), index=True)
    token: Mapped[str] = mapped_column(Text)


class MarkEvent(RecordMixin, Base):
    """One EPCIS ObjectEvent of a mark (or of one of its units), anchored on the ledger."""

    __tablename__ = "mark_events"

    mark_id: Mapped[str] = mapped_column(ForeignKey("marks.id"), index=True)
    unit_serial: Mapped[str | None] = mapped_column(String(16), index=True)
    biz_step: Mapped[BizStep] = mapped_column(str_enum(BizStep, "biz_step"))
    action: Mapped[str] = mapped_column(String(7))  # ADD, OBSERVE, DELETE
    disposition: Mapped[str | None] = mapped_column(String(40))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)  # a scan's: when it arrived
    org: Mapped[str] = mapped_column(String(300))  # who did or reported it
    # A scan's: its sender's API key, whose word its place and seller are, and the
    # time its sender gave (recorded, not trusted).
    key_prefix: Mapped[str | None] = mapped_column(String(12))
    trust: Mapped[Trust | None] = mapped_column(str_enum(Trust, "sighting_trust"))
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(300))  # a venue, shop URL or address
    region_code: Mapped[str | None] = mapped_column(String(6))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    seller_uscc: Mapped[str | None] = mapped_column(String(18))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ledger_position: Mapped[int] = mapped_column(BigInteger)
    # The person who decided it (an issuance, a change of status), signed in to the
    # console; None for an API key, the command line or the node itself.
    person_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    person: Mapped[Account | None] = relationship()


class CloneAlertKind(StrEnum):
    IMPOSSIBLE_TRAVEL = "impossible_travel"
    MULTIPLE_SELLERS = "multiple_sellers"


class CloneAlert(RecordMixin, Base):
    """One unit code seen where a genuine unit cannot be: a lead for review."""

    __tablename__ = "clone_alerts"

    mark_id: Mapped[str] = mapped_column(ForeignKey("marks.id"), index=True)
    unit_serial: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[CloneAlertKind] = mapped_column(str_enum(CloneAlertKind, "clone_alert_kind"))
    reason: Mapped[str] = mapped_column(Text)
    first_event_id: Mapped[str] = mapped_column(ForeignKey("mark_events.id"))
    second_event_id: Mapped[str] = mapped_column(ForeignKey("mark_events.id"))
    organisations: Mapped[int] = mapped_column(Integer)  # whose sightings it rests on

    first_event: Mapped[MarkEvent] = relationship(foreign_keys=[first_event_id], lazy="joined")
    second_event: Mapped[MarkEvent] = relationship(foreign_keys=[second_event_id], lazy="joined")

    @property
    def single_party(self) -> bool:
        """One organisation's word alone: it could have made up both sightings."""
        return self.organisations == 1


class UnitCheck(RecordMixin, Base):
    """A unit code's verification page opened by someone: when its first check was and
    how many there were tell a buyer whether the code was already on another item."""

    __tablename__ = "unit_checks"

    serial: Mapped[str] = mapped_column(ForeignKey("unit_codes.serial"), index=True)


class SuspectReport(RecordMixin, Base):
    """A suspected fake reported from the public verification page, for the issuing
    office. The reporter's address is not kept (it only slows repeated reports)."""

    __tablename__ = "suspect_reports"

    # None when the scanned code names no mark of this office: a fake label.
    mark_id: Mapped[str | None] = mapped_column(ForeignKey("marks.id"), index=True)
    unit_serial: Mapped[str | None] = mapped_column(String(16))
    token: Mapped[str] = mapped_column(Text)  # what the page was opened with
    verdict: Mapped[str] = mapped_column(String(20))  # what the page showed
    where_bought: Mapped[str] = mapped_column(String(300))
    seller: Mapped[str] = mapped_column(String(300))
    contact: Mapped[str | None] = mapped_column(String(200))
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_type: Mapped[str | None] = mapped_column(String(40))
