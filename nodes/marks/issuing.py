"""Issue marks for the rights in force, scoped to a licence and classes, and serialized
unit codes for the production batches of a marked product."""

import base64
import secrets
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipfed.ledger.transactions import TxType
from ipfed.nodes.accounts.person import Person, on_ledger
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import get_or_404, new_id
from ipfed.nodes.errors import Conflict, InvalidInput, NotFound
from ipfed.nodes.identity import node_identity
from ipfed.nodes.licences.models import Licence, LicenceKind
from ipfed.nodes.marks.events import Happening, record_events
from ipfed.nodes.marks.models import BizStep, Mark, UnitBatch, UnitCode
from ipfed.nodes.marks.schemas import MarkIn
from ipfed.nodes.rights.models import (
    Patent,
    Right,
    RightKind,
    RightStatus,
    Trademark,
    nice_class_mask,
)
from ipfed.registry.credential import Claims, RightType, issue_token
from ipfed.registry.errors import OutOfScope
from ipfed.registry.lifecycle import MarkStatus, latest_validity, scope_classes
from ipfed.registry.status_list import capacity

RIGHT_TYPES = {
    RightKind.PATENT: RightType.PATENT,
    RightKind.TRADEMARK: RightType.TRADEMARK,
    RightKind.GEOGRAPHICAL_INDICATION: RightType.GEOGRAPHICAL_INDICATION,
}


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


def issue_mark(
    *,
    db: Session,
    settings: NodeSettings,
    request: MarkIn,
    today: date,
    person: Person | None = None,
) -> Mark:
    message = f"no right {request.right_id} in the profile database"
    right = get_or_404(db, Right, request.right_id, message=message)
    if right.status is not RightStatus.GRANTED or (
        right.expiry_date is not None and right.expiry_date < today
    ):
        raise Conflict(f"right {right.number} is not in force", code="right_not_in_force")
    licence = _current_licence(db, right, request.licence_id, today) if request.licence_id else None
    registered = right.nice_classes if isinstance(right, Trademark) else None
    try:
        nice = scope_classes(request.nice_classes, registered)
    except OutOfScope as exc:
        raise InvalidInput(exc.message, code=exc.code) from None
    limit = latest_validity(today, right.expiry_date, licence.ends_on if licence else None)
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
    happenings = [
        Happening(mark, BizStep.COMMISSIONING, "ADD", settings.org_name, "active", person=person)
    ]
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
    record_events(
        db=db,
        settings=settings,
        happenings=happenings,
        first=[(TxType.MARK_ISSUED, {"mark_id": mark.id, **on_ledger(person)})],
    )
    return mark


def claims_of(mark: Mark, *, unit_serial: str | None = None, batch: str | None = None) -> Claims:
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
    *,
    db: Session,
    settings: NodeSettings,
    mark: Mark,
    batch_number: str,
    quantity: int,
    by: str,
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
        claims = claims_of(mark, unit_serial=serial, batch=batch_number)
        token = issue_token(claims, identity.key, identity.key_id)
        units.append(UnitCode(serial=serial, mark_id=mark.id, batch_id=batch.id, token=token))
    db.add_all(units)
    detail = {"batch": batch_number, "quantity": quantity, "requestedBy": by}
    record_events(
        db=db,
        settings=settings,
        happenings=[Happening(mark, BizStep.COMMISSIONING, "ADD", by, "active", detail=detail)],
    )
    return batch, units
