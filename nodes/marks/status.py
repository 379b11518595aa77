"""Change a mark's status, follow the rights and licences marks stand on, and publish
the signed status lists that platforms verify against."""

from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ipfed.ledger.transactions import TxType
from ipfed.nodes.accounts.person import Person, on_ledger
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.errors import Conflict
from ipfed.nodes.identity import node_identity
from ipfed.nodes.licences.models import Licence
from ipfed.nodes.marks.events import Happening, record_events
from ipfed.nodes.marks.models import BizStep, Mark
from ipfed.nodes.rights.models import Right, RightStatus
from ipfed.registry.lifecycle import LISTED, TRANSITIONS, MarkStatus
from ipfed.registry.status_list import StatusListDocument, StatusPurpose, capacity, sign_status_list

STATUS_LIST_TTL = timedelta(hours=1)
# The EPCIS step and disposition that a status change is recorded as.
STATUS_EVENTS = {
    MarkStatus.ACTIVE: (BizStep.REINSTATING, "active"),
    MarkStatus.SUSPENDED: (BizStep.SUSPENDING, "non_sellable_other"),
    MarkStatus.REVOKED: (BizStep.DECOMMISSIONING, "inactive"),
    MarkStatus.EXPIRED: (BizStep.DECOMMISSIONING, "expired"),
}


def change_status(
    *,
    db: Session,
    settings: NodeSettings,
    mark: Mark,
    status: MarkStatus,
    reason: str,
    by: str,
    person: Person | None = None,
) -> Mark:
    if status not in TRANSITIONS[mark.status]:
        raise Conflict(f"a {mark.status} mark cannot become {status}", code="bad_transition")
    step, disposition = STATUS_EVENTS[status]
    record_events(
        db=db,
        settings=settings,
        happenings=[
            Happening(
                mark,
                step,
                "DELETE" if status in LISTED[StatusPurpose.REVOCATION] else "OBSERVE",
                by,
                disposition,
                detail={"reason": reason},
                person=person,
            )
        ],
        first=[
            (
                TxType.MARK_STATUS,
                {"mark_id": mark.id, "status": status.value, **on_ledger(person)},
            )
        ],
    )
    mark.status, mark.status_reason, mark.status_changed_at = status, reason, utcnow()
    return mark


def follow_rights(*, db: Session, settings: NodeSettings, today: date) -> list[Mark]:
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
        changed.append(
            change_status(
                db=db,
                settings=settings,
                mark=mark,
                status=status,
                reason=reason,
                by=settings.org_name,
            )
        )
    return changed


def status_list(
    *, db: Session, settings: NodeSettings, purpose: StatusPurpose, now: datetime
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
