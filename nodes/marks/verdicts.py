"""What the public verification page tells whoever scanned a mark: a verdict, what
the mark covers, and for a unit code when it was first checked and how often."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipfed.ledger.identity import Organisation
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.identity import node_identity
from ipfed.nodes.marks.models import CloneAlert, Mark, MarkEvent, UnitCheck, UnitCode
from ipfed.nodes.rights.models import Right, Trademark
from ipfed.registry.credential import Claims
from ipfed.registry.errors import MarkExpired, UnlicensedSeller, VerificationError
from ipfed.registry.lifecycle import MarkStatus, check_use
from ipfed.sdk.verify import Verifier


class Verdict(StrEnum):
    VALID = "valid"
    POSSIBLE_CLONE = "possible_clone"  # a genuine unit code seen where its unit cannot be
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # not a mark this office issued: a fake label, or a damaged code

    @property
    def good(self) -> bool:
        return self is Verdict.VALID


STATUS_VERDICTS = {
    MarkStatus.ACTIVE: Verdict.VALID,
    MarkStatus.SUSPENDED: Verdict.SUSPENDED,
    MarkStatus.REVOKED: Verdict.REVOKED,
    MarkStatus.EXPIRED: Verdict.EXPIRED,
}


@dataclass(frozen=True)
class Coverage:
    """What the mark covers, in the register's words."""

    kind: str  # a RightKind value
    number: str
    name: str
    holder: str
    licensee: str | None
    nice_classes: list[int]
    locarno_class: str | None
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class UnitHistory:
    batch: str | None
    first_checked: datetime | None
    checks: int  # pages opened and sightings recorded, this one included


@dataclass(frozen=True)
class Finding:
    verdict: Verdict
    issuer: Organisation | None  # from the token's certificate, once it authenticates
    coverage: Coverage | None
    reason: str | None  # the office's reason for a suspension or revocation
    mark_id: str | None  # for storing a report: never shown
    unit_serial: str | None
    unit: UnitHistory | None
    claims: Claims | None = None  # once the token authenticates as one of this office's


class Standing(StrEnum):
    """Who a seller is to a mark, by the rule the SDK checks (``check_use``)."""

    HOLDER = "seller_holder"
    LICENSEE = "seller_licensee"
    RESELLER = "seller_reseller"  # of a unit code: anyone may resell a genuine unit
    UNAUTHORISED = "seller_unauthorised"


def standing_of(claims: Claims, seller: str) -> Standing:
    """Whether ``seller`` (a credit code) is the mark's holder, its licensee, a
    reseller of a genuine unit, or none whose use the mark covers."""
    try:
        check_use(claims, None, seller)
    except UnlicensedSeller:
        return Standing.UNAUTHORISED
    if seller == claims.licensee:
        return Standing.LICENSEE
    return Standing.HOLDER if seller == claims.holder else Standing.RESELLER


def examine(*, db: Session, settings: NodeSettings, token: str) -> Finding:
    """The verdict on a scanned token, from this node's own records."""
    identity = node_identity(settings)
    try:
        authenticated = Verifier(identity.bundle).authenticate(token)
    except MarkExpired:
        return Finding(Verdict.EXPIRED, None, None, None, None, None, None)
    except VerificationError:
        return Finding(Verdict.UNKNOWN, None, None, None, None, None, None)
    claims = authenticated.claims
    mark = db.get(Mark, claims.mark_id) if authenticated.key_id == identity.key_id else None
    if mark is None:
        return Finding(Verdict.UNKNOWN, authenticated.issuer, None, None, None, None, None)
    verdict = STATUS_VERDICTS[mark.status]
    serial = claims.unit_serial
    unit = None
    if serial is not None and db.get(UnitCode, serial) is not None:
        unit = _history(db, serial, claims.batch)
        cloned = db.scalar(select(CloneAlert.id).where(CloneAlert.unit_serial == serial).limit(1))
        if verdict is Verdict.VALID and cloned is not None:
            verdict = Verdict.POSSIBLE_CLONE
    reason = mark.status_reason if verdict in (Verdict.SUSPENDED, Verdict.REVOKED) else None
    coverage = _coverage(mark)
    return Finding(verdict, authenticated.issuer, coverage, reason, mark.id, serial, unit, claims)


def record_check(*, db: Session, serial: str) -> None:
    db.add(UnitCheck(serial=serial))
    db.flush()


def _coverage(mark: Mark) -> Coverage:
    right: Right = mark.right
    registered = right.nice_classes if isinstance(right, Trademark) else []
    return Coverage(
        kind=right.kind.value,
        number=right.number,
        name=right.name,
        holder=mark.holder,
        licensee=mark.licensee,
        nice_classes=mark.nice_classes or registered,
        locarno_class=mark.locarno_class,
        valid_from=mark.valid_from,
        valid_until=mark.valid_until,
    )


def _history(db: Session, serial: str, batch: str | None) -> UnitHistory:
    opened, first_opened = db.execute(
        select(func.count(), func.min(UnitCheck.created_at)).where(UnitCheck.serial == serial)
    ).one()
    seen, first_seen = db.execute(
        select(func.count(), func.min(MarkEvent.event_time)).where(
            MarkEvent.unit_serial == serial, MarkEvent.action == "OBSERVE"
        )
    ).one()
    firsts = [moment for moment in (first_opened, first_seen) if moment is not None]
    return UnitHistory(batch, min(firsts) if firsts else None, opened + seen)
