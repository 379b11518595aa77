"""Scans of marks on listings, in patrols and at fairs: verified, recorded as the
evidence they are, and compared with earlier sightings for cloned unit codes.

A scan is timed by its arrival at the node and is the word of the organisation
whose API key sent it; see :mod:`ipfed.registry.clones` for what that is worth."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.ledger.identity import Role
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import new_id, utcnow
from ipfed.nodes.errors import InvalidInput
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.service import MAX_CLOCK_SKEW
from ipfed.nodes.marks.events import Happening, record_events
from ipfed.nodes.marks.lookup import get_mark
from ipfed.nodes.marks.models import BizStep, CloneAlert, CloneAlertKind, MarkEvent
from ipfed.nodes.marks.schemas import CloneAlertOut, ScanIn, ScanResult
from ipfed.registry.clones import Sighting, suspicions, trust_of
from ipfed.registry.errors import VerificationError
from ipfed.registry.lifecycle import check_status, check_use
from ipfed.sdk.verify import Verifier, split_url


def federation_urls(settings: NodeSettings) -> set[str]:
    """Where a scanned verification URL may point: the nodes the trust bundle names,
    and this node's own public URL."""
    return node_identity(settings).bundle.node_urls() | {settings.public_base_url}


@dataclass(frozen=True)
class Reporter:
    """Who sent a scan, as the node knows them: an API key's organisation and role."""

    org: str
    role: Role
    key_prefix: str | None = None  # None: the node's own check on an organizer's behalf


def record_scan(*, db: Session, settings: NodeSettings, scan: ScanIn, by: Reporter) -> ScanResult:
    """Verify a scanned token this office issued, record the sighting, and look for clones.

    A token that does not authenticate is not recorded (nothing in it can be trusted);
    a genuine one used where it must not be (revoked, another seller, ...) is recorded,
    as the evidence it is.
    """
    if scan.seen_at is not None and scan.seen_at > utcnow() + MAX_CLOCK_SKEW:
        raise InvalidInput("the scan's time is in the future", code="future_scan")
    identity = node_identity(settings)
    host, _ = split_url(scan.token)
    if host is not None and host.rstrip("/") not in federation_urls(settings):
        raise InvalidInput(
            f"{host} is not a node of the federation: send the bare token or its node's URL",
            code="foreign_verification_url",
        )
    try:
        token = Verifier(identity.bundle).authenticate(scan.token)
    except VerificationError as exc:
        return ScanResult(valid=False, error=exc.code, detail=exc.message)
    if token.key_id != identity.key_id:
        return ScanResult(valid=False, error="not_issuer", detail="ask the issuing office's node")
    claims = token.claims
    mark = get_mark(db=db, mark_id=claims.mark_id)
    serial = claims.unit_serial
    sighting = Happening(
        mark,
        scan.biz_step,
        "OBSERVE",
        by.org,
        unit_serial=serial,
        scan=scan,
        key_prefix=by.key_prefix,
        trust=trust_of(by.role),
    )
    (event,) = record_events(db=db, settings=settings, happenings=[sighting])
    result = ScanResult(valid=True, mark_id=mark.id, unit_serial=serial, event_id=event.id)
    try:
        check_status(mark.status, mark.status_reason)
        check_use(claims, scan.product_class, scan.seller_uscc)
    except VerificationError as exc:
        return result.model_copy(update={"valid": False, "error": exc.code, "detail": exc.message})
    if serial is None:
        return result
    earlier = {
        e.id: e
        for e in db.scalars(
            select(MarkEvent).where(
                MarkEvent.unit_serial == serial,
                MarkEvent.id != event.id,
                MarkEvent.biz_step.in_([BizStep.RETAIL_SELLING, BizStep.INSPECTING]),
            )
        )
    }
    alerts = [
        CloneAlert(
            id=new_id(),
            mark_id=mark.id,
            unit_serial=serial,
            kind=CloneAlertKind(suspicion.kind),
            reason=suspicion.reason,
            first_event=earlier[suspicion.earlier.key],
            second_event=event,
            organisations=suspicion.organisations,
        )
        for suspicion in suspicions(_sighting(event), [_sighting(e) for e in earlier.values()])
    ]
    db.add_all(alerts)
    db.flush()
    return result.model_copy(update={"alerts": [CloneAlertOut.model_validate(a) for a in alerts]})


def _sighting(event: MarkEvent) -> Sighting:
    seller = event.seller_uscc if event.biz_step == BizStep.RETAIL_SELLING else None
    return Sighting(
        key=event.id,
        org=event.org,
        time=event.event_time,
        reported=event.reported_at,
        latitude=event.latitude,
        longitude=event.longitude,
        seller=seller,
    )
