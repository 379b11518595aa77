"""Issue marks and unit codes, change their status, follow the rights they mark,
record their lifecycle on the ledger, and publish status lists."""

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from hashlib import sha256
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ipfed.ledger.canonical import canonical_bytes
from ipfed.ledger.contract import TRANSITIONS
from ipfed.ledger.transactions import TxType
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import new_id, utcnow
from ipfed.nodes.errors import Conflict, InvalidInput, NotFound
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.ledger.service import MAX_CLOCK_SKEW
from ipfed.nodes.licences.models import Licence, LicenceKind
from ipfed.nodes.marks.models import (
    BizStep,
    CloneAlert,
    CloneAlertKind,
    Mark,
    MarkEvent,
    MarkStatus,
    UnitBatch,
    UnitCode,
)
from ipfed.nodes.marks.schemas import CloneAlertOut, MarkIn, ScanIn, ScanResult
from ipfed.nodes.rights.models import (
    Patent,
    Right,
    RightKind,
    RightStatus,
    Trademark,
    nice_class_mask,
)
from ipfed.registry.clones import Sighting, suspicions
from ipfed.registry.credential import Claims, RightType, issue_token
from ipfed.registry.epcis import LifecycleEvent, object_event
from ipfed.registry.errors import MarkExpired, MarkRevoked, MarkSuspended, VerificationError
from ipfed.registry.status_list import StatusListDocument, StatusPurpose, capacity, sign_status_list
from ipfed.sdk.verify import VERIFY_PATH, Verifier, check_use

DEFAULT_VALIDITY = timedelta(days=5 * 365)  # for rights with no end date (indications)
STATUS_LIST_TTL = timedelta(hours=1)
RIGHT_TYPES = {
    RightKind.PATENT: RightType.PATENT,
    RightKind.TRADEMARK: RightType.TRADEMARK,
    RightKind.GEOGRAPHICAL_INDICATION: RightType.GEOGRAPHICAL_INDICATION,
}
# The EPCIS step and disposition that a status change is recorded as.
STATUS_EVENTS = {
    MarkStatus.ACTIVE: (BizStep.REINSTATING, "active"),
    MarkStatus.SUSPENDED: (BizStep.SUSPENDING, "non_sellable_other"),
    MarkStatus.REVOKED: (BizStep.DECOMMISSIONING, "inactive"),
    MarkStatus.EXPIRED: (BizStep.DECOMMISSIONING, "expired"),
}
# Which marks each status list flags: a lapsed right's marks are as dead as revoked ones.
LISTED = {
    StatusPurpose.REVOCATION: (MarkStatus.REVOKED, MarkStatus.EXPIRED),
    StatusPurpose.SUSPENSION: (MarkStatus.SUSPENDED,),
}


def mark_url(settings: NodeSettings, token: str) -> str:
    return settings.public_base_url + VERIFY_PATH + token


def mark_uri(settings: NodeSettings, mark_id: str) -> str:
    return f"{settings.public_base_url}/marks/{mark_id}"


def get_mark(db: Session, mark_id: str) -> Mark:
    mark = db.get(Mark, mark_id)
    if mark is None:
        raise NotFound(f"no mark {mark_id}")
    return mark


# --- the ledger record of a mark's life ------------------------------------


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


def _record(
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
            event_time=(scan.seen_at if scan and scan.seen_at else now),
            org=happening.org,
            place=scan.place if scan else None,
            region_code=scan.region_code if scan else None,
            latitude=scan.latitude if scan else None,
            longitude=scan.longitude if scan else None,
            seller_uscc=scan.seller_uscc if scan else None,
            detail=happening.detail or {},
        )
        digest = sha256(canonical_bytes(object_event(lifecycle_event(settings, event)))).hexdigest()
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


def lifecycle_event(settings: NodeSettings, event: MarkEvent) -> LifecycleEvent:
    return LifecycleEvent(
        event_id=event.id,
        mark_uri=mark_uri(settings, event.mark_id),
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
        detail=event.detail,
    )


def mark_events(db: Session, mark_id: str) -> list[MarkEvent]:
    get_mark(db, mark_id)
    query = select(MarkEvent).where(MarkEvent.mark_id == mark_id).order_by(MarkEvent.id)
    return list(db.scalars(query))


# --- issuing ---------------------------------------------------------------


def _status_index(db: Session) -> int:
    """A random free index: status lists must not reveal issuing order."""
    size = capacity((db.scalar(select(func.count()).select_from(Mark)) or 0) + 1)
    while True:
        index = secrets.randbelow(size)
        if db.scalar(select(Mark.id).where(Mark.status_index == index)) is None:
            return index


def _current_licence(db: Session, right: Right, licence_id: str, today: date) -> Licence:
    licence = db.get(Licence, licence_id)
    if licence is None or licence.right_id != right.id:
        raise NotFound(f"no licence {licence_id} of right {right.number}")
    if licence.kind is not LicenceKind.LICENCE or not licence.licensee_uscc:
        raise InvalidInput(
            "a mark is scoped to a licence with a licensee's credit code", code="not_a_licence"
        )
    if (licence.starts_on and licence.starts_on > today) or (
        licence.ends_on and licence.ends_on < today
    ):
        raise Conflict(f"licence {licence_id} is not in force", code="licence_not_in_force")
    return licence


def issue_mark(db: Session, settings: NodeSettings, request: MarkIn, today: date) -> Mark:
    right = db.get(Right, request.right_id)
    if right is None:
        raise NotFound(f"no right {request.right_id} in the profile database")
    if right.status is not RightStatus.GRANTED or (
        right.expiry_date is not None and right.expiry_date < today
    ):
        raise Conflict(f"right {right.number} is not in force", code="right_not_in_force")
    licence = _current_licence(db, right, request.licence_id, today) if request.licence_id else None
    nice: list[int] = []
    if isinstance(right, Trademark):
        nice = request.nice_classes or right.nice_classes
        if not set(nice) <= set(right.nice_classes):
            raise InvalidInput(
                f"classes {sorted(set(nice) - set(right.nice_classes))} are not registered",
                code="out_of_scope",
            )
    elif request.nice_classes:
        raise InvalidInput("only trademark marks have Nice classes", code="out_of_scope")
    ends = [d for d in (right.expiry_date, licence.ends_on if licence else None) if d is not None]
    limit = min(ends) if ends else today + DEFAULT_VALIDITY
    valid_until = request.valid_until or limit
    if not today <= valid_until <= limit:
        raise InvalidInput(
            f"a mark of this right can be valid until {limit} at the latest", code="beyond_right"
        )
    identity = node_identity(settings)
    mark = Mark(
        id=new_id(),
        right=right,
        licence_id=licence.id if licence else None,
        issuer_key_id=identity.key_id,
        holder=right.holder,
        holder_uscc=request.holder_uscc,
        licensee=licence.licensee if licence else None,
        licensee_uscc=licence.licensee_uscc if licence else None,
        nice_class_mask=nice_class_mask(nice) if nice else None,
        locarno_class=right.locarno_class if isinstance(right, Patent) else None,
        valid_from=today,
        valid_until=valid_until,
        status=MarkStatus.ACTIVE,
        status_index=_status_index(db),
    )
    mark.token = issue_token(claims_of(mark), identity.key, identity.key_id)
    db.add(mark)
    db.flush()
    happenings = [Happening(mark, BizStep.COMMISSIONING, "ADD", settings.org_name, "active")]
    if licence is not None:
        happenings.append(
            Happening(
                mark,
                BizStep.LICENSING,
                "OBSERVE",
                settings.org_name,
                "active",
                detail={"licensee": licence.licensee},
            )
        )
    _record(db, settings, happenings, first=[(TxType.MARK_ISSUED, {"mark_id": mark.id})])
    return mark


def claims_of(mark: Mark, unit_serial: str | None = None, batch: str | None = None) -> Claims:
    return Claims(
        mark_id=mark.id,
        right_type=RIGHT_TYPES[mark.right.kind],
        right_number=mark.right.number,
        holder=mark.holder_uscc,
        valid_from=mark.valid_from,
        valid_until=mark.valid_until,
        status_index=mark.status_index,
        licensee=mark.licensee_uscc,
        nice_classes=frozenset(mark.nice_classes),
        locarno_class=mark.locarno_class,
        unit_serial=unit_serial,
        batch=batch,
    )


def issue_units(
    db: Session, settings: NodeSettings, mark: Mark, batch_number: str, quantity: int, by: str
) -> tuple[UnitBatch, list[UnitCode]]:
    """Serialized unit codes for one production batch: random, so none can be guessed."""
    if mark.status is not MarkStatus.ACTIVE:
        raise Conflict(f"mark {mark.id} is {mark.status}", code="mark_not_active")
    identity = node_identity(settings)
    batch = UnitBatch(
        id=new_id(), mark_id=mark.id, batch_number=batch_number, quantity=quantity, requested_by=by
    )
    db.add(batch)
    units = []
    for _ in range(quantity):
        serial = base64.b32encode(secrets.token_bytes(10)).decode()
        claims = claims_of(mark, serial, batch_number)
        token = issue_token(claims, identity.key, identity.key_id)
        units.append(UnitCode(serial=serial, mark_id=mark.id, batch_id=batch.id, token=token))
    db.add_all(units)
    detail = {"batch": batch_number, "quantity": quantity, "requestedBy": by}
    _record(
        db,
        settings,
        [Happening(mark, BizStep.COMMISSIONING, "ADD", by, "active", detail=detail)],
    )
    return batch, units


# --- status ----------------------------------------------------------------


def change_status(
    db: Session, settings: NodeSettings, mark: Mark, status: MarkStatus, reason: str, by: str
) -> Mark:
    if status not in TRANSITIONS[mark.status]:
        raise Conflict(f"a {mark.status} mark cannot become {status}", code="bad_transition")
    step, disposition = STATUS_EVENTS[status]
    _record(
        db,
        settings,
        [
            Happening(
                mark,
                step,
                "DELETE" if status in LISTED[StatusPurpose.REVOCATION] else "OBSERVE",
                by,
                disposition,
                detail={"reason": reason},
            )
        ],
        first=[(TxType.MARK_STATUS, {"mark_id": mark.id, "status": status.value})],
    )
    mark.status, mark.status_reason, mark.status_changed_at = status, reason, utcnow()
    return mark


def follow_rights(db: Session, settings: NodeSettings, today: date) -> list[Mark]:
    """Change every live mark whose right lapsed or was invalidated, or whose licence or
    own validity ended. Returns the marks changed."""
    live = [MarkStatus.ACTIVE, MarkStatus.SUSPENDED]
    query = (
        select(Mark)
        .join(Mark.right)
        .outerjoin(Mark.licence)
        .where(
            Mark.status.in_(live),
            or_(
                Right.status.in_([RightStatus.EXPIRED, RightStatus.INVALID]),
                Right.expiry_date < today,
                Licence.ends_on < today,
                Mark.valid_until < today,
            ),
        )
        .order_by(Mark.id)
    )
    changed = []
    for mark in db.scalars(query).unique():
        right, licence = mark.right, mark.licence
        if right.status is RightStatus.INVALID:
            status, reason = MarkStatus.REVOKED, f"right {right.number} was invalidated"
        elif right.status is RightStatus.EXPIRED or (right.expiry_date or today) < today:
            status, reason = MarkStatus.EXPIRED, f"right {right.number} lapsed"
        elif licence is not None and (licence.ends_on or today) < today:
            status, reason = MarkStatus.EXPIRED, f"the licence to {licence.licensee} ended"
        else:
            status, reason = MarkStatus.EXPIRED, f"the mark's validity ended on {mark.valid_until}"
        changed.append(change_status(db, settings, mark, status, reason, settings.org_name))
    return changed


def status_list(
    db: Session, settings: NodeSettings, purpose: StatusPurpose, now: datetime
) -> StatusListDocument:
    identity = node_identity(settings)
    size = capacity(db.scalar(select(func.count()).select_from(Mark)) or 0)
    indexes = db.scalars(select(Mark.status_index).where(Mark.status.in_(LISTED[purpose])))
    return sign_status_list(
        purpose=purpose,
        indexes=indexes,
        size=size,
        issuer=identity.key_id,
        key=identity.key,
        valid_from=now,
        valid_until=now + STATUS_LIST_TTL,
    )


# --- scans and clones ------------------------------------------------------


STATUS_ERRORS: dict[MarkStatus, type[VerificationError]] = {
    MarkStatus.SUSPENDED: MarkSuspended,
    MarkStatus.REVOKED: MarkRevoked,
    MarkStatus.EXPIRED: MarkExpired,
}


def record_scan(db: Session, settings: NodeSettings, scan: ScanIn, by: str) -> ScanResult:
    """Verify a scanned token this office issued, record the sighting, and look for clones.

    A token that does not authenticate is not recorded (nothing in it can be trusted);
    a genuine one used where it must not be (revoked, another seller, ...) is recorded,
    as the evidence it is.
    """
    if scan.seen_at is not None and scan.seen_at > utcnow() + MAX_CLOCK_SKEW:
        raise InvalidInput("the scan's time is in the future", code="future_scan")
    identity = node_identity(settings)
    try:
        token = Verifier(identity.bundle).authenticate(scan.token)
    except VerificationError as exc:
        return ScanResult(valid=False, error=exc.code, detail=exc.message)
    if token.key_id != identity.key_id:
        return ScanResult(valid=False, error="not_issuer", detail="ask the issuing office's node")
    claims = token.claims
    mark = get_mark(db, claims.mark_id)
    serial = claims.unit_serial
    (event,) = _record(
        db, settings, [Happening(mark, scan.biz_step, "OBSERVE", by, unit_serial=serial, scan=scan)]
    )
    result = ScanResult(valid=True, mark_id=mark.id, unit_serial=serial, event_id=event.id)
    try:
        if mark.status is not MarkStatus.ACTIVE:
            raise STATUS_ERRORS[mark.status](mark.status_reason or f"the mark is {mark.status}")
        check_use(claims, scan.product_class, scan.seller_uscc)
    except VerificationError as exc:
        return result.model_copy(update={"valid": False, "error": exc.code, "detail": exc.message})
    if serial is None:
        return result
    earlier = db.scalars(
        select(MarkEvent).where(
            MarkEvent.unit_serial == serial,
            MarkEvent.id != event.id,
            MarkEvent.biz_step.in_([BizStep.RETAIL_SELLING, BizStep.INSPECTING]),
        )
    )
    alerts = [
        CloneAlert(
            id=new_id(),
            mark_id=mark.id,
            unit_serial=serial,
            kind=CloneAlertKind(suspicion.kind),
            reason=suspicion.reason,
            first_event_id=suspicion.earlier.key,
            second_event_id=event.id,
        )
        for suspicion in suspicions(_sighting(event), [_sighting(e) for e in earlier])
    ]
    db.add_all(alerts)
    db.flush()
    return result.model_copy(update={"alerts": [CloneAlertOut.model_validate(a) for a in alerts]})


def _sighting(event: MarkEvent) -> Sighting:
    seller = event.seller_uscc if event.biz_step == BizStep.RETAIL_SELLING else None
    return Sighting(event.id, event.event_time, event.latitude, event.longitude, seller)
