"""The ledger record of a mark's life: its events stored and anchored together, and
read back as EPCIS lifecycle events."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from hashlib import sha256
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.ledger.canonical import canonical_bytes
from ipfed.ledger.transactions import TxType
from ipfed.nodes.accounts.person import Person, person_id
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import new_id, utcnow
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.marks.lookup import get_mark, mark_uri
from ipfed.nodes.marks.models import BizStep, Mark, MarkEvent
from ipfed.nodes.marks.schemas import ScanIn
from ipfed.registry.clones import Trust
from ipfed.registry.epcis import LifecycleEvent, object_event


@dataclass(frozen=True)
class Happening:
    """An event about to be recorded: stored and anchored together."""

    mark: Mark
    biz_step: BizStep
    action: str
    org: str
    disposition: str | None = None
    unit_serial: str | None = None
    scan: ScanIn | None = None
    detail: dict[str, Any] | None = None
    key_prefix: str | None = None  # a scan's: the API key that sent it
    trust: Trust | None = None  # a scan's: whose word its place and seller are
    person: Person | None = None  # who decided it, if a person did


def record_events(
    *,
    db: Session,
    settings: NodeSettings,
    happenings: Sequence[Happening],
    first: Sequence[tuple[TxType, dict[str, Any]]] = (),
) -> list[MarkEvent]:
    """Store ``happenings`` as events and anchor them, after ``first``, in one ledger batch."""
    now = utcnow()
    events, entries = [], list(first)
    for happening in happenings:
        scan = happening.scan
        event = MarkEvent(
            id=new_id(),
            mark_id=happening.mark.id,
            unit_serial=happening.unit_serial,
            biz_step=happening.biz_step,
            action=happening.action,
            disposition=happening.disposition,
            event_time=now,  # a scan is timed by its arrival, not by its sender
            org=happening.org,
            key_prefix=happening.key_prefix,
            trust=happening.trust,
            reported_at=scan.seen_at if scan else None,
            place=scan.place if scan else None,
            region_code=scan.region_code if scan else None,
            latitude=scan.latitude if scan else None,
            longitude=scan.longitude if scan else None,
            seller_uscc=scan.seller_uscc if scan else None,
            detail=happening.detail or {},
            person_id=person_id(happening.person),
        )
        lifecycle = lifecycle_event(settings=settings, event=event)
        digest = sha256(canonical_bytes(object_event(lifecycle))).hexdigest()
        entries.append(
            (TxType.MARK_EVENT, {"mark_id": event.mark_id, "event_id": event.id, "sha256": digest})
        )
        events.append(event)
    recorded = node_ledger(db=db, settings=settings).record_batch(entries)
    for event, record in zip(events, recorded[len(first) :], strict=True):
        event.ledger_position = record.placed()
    db.add_all(events)
    db.flush()
    return events


def lifecycle_event(*, settings: NodeSettings, event: MarkEvent) -> LifecycleEvent:
    detail = dict(event.detail)
    if event.trust is not None:
        detail["trust"] = event.trust.value
    if event.reported_at is not None:
        detail["reportedTime"] = (
            event.reported_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        )
    return LifecycleEvent(
        event_id=event.id,
        mark_uri=mark_uri(settings=settings, mark_id=event.mark_id),
        biz_step=event.biz_step,
        action=event.action,
        event_time=event.event_time,
        org=event.org,
        disposition=event.disposition,
        unit_serial=event.unit_serial,
        place=event.place,
        region_code=event.region_code,
        latitude=event.latitude,
        longitude=event.longitude,
        detail=detail,
    )


def mark_events(*, db: Session, mark_id: str) -> list[MarkEvent]:
    get_mark(db=db, mark_id=mark_id)
    query = select(MarkEvent).where(MarkEvent.mark_id == mark_id).order_by(MarkEvent.id)
    return list(db.scalars(query))
