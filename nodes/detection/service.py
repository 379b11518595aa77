"""Leads in the node's database: screening stored listings, evidence, the review
queue, precision figures, and what a confirmed lead pushes to whoever must act."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ipfed.detection.errors import UnreadableImage
from ipfed.detection.images import ImageSource, Remembered
from ipfed.detection.reasons import Reason, sentences
from ipfed.detection.register import Licensee, MarkRecord, PatentRecord, Register, ScreenedListing
from ipfed.detection.text import party_key
from ipfed.exchange.messages import LeadKind
from ipfed.ledger.protocol import Ledger
from ipfed.ledger.transactions import TxType
from ipfed.nodes.accounts.person import Person, on_ledger, person_id
from ipfed.nodes.database.core import get_or_404, utcnow
from ipfed.nodes.detection.evidence import anchor, capture
from ipfed.nodes.detection.models import (
    Decision,
    DetectionTask,
    Lead,
    LeadStatus,
    MonitoringEntry,
    Review,
)
from ipfed.nodes.detection.schemas import ConfirmedLead, Precision
from ipfed.nodes.detection.tracing import trace
from ipfed.nodes.errors import Conflict, InvalidInput, NotFound
from ipfed.nodes.licences.models import Licence
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.rights.models import Patent, Right, RightStatus, Trademark
from ipfed.nodes.rights.service import find_rights
from ipfed.registry.identifiers import InvalidIdentifier, parse_patent_number

if TYPE_CHECKING:  # the screener pulls in the language data; a node loads it when it screens
    from ipfed.detection.screening import Screener

OPEN = (LeadStatus.SUSPECTED, LeadStatus.NEEDS_INFO)
DECIDES = {
    Decision.CONFIRM: LeadStatus.CONFIRMED,
    Decision.REJECT: LeadStatus.REJECTED,
    Decision.REQUEST_INFO: LeadStatus.NEEDS_INFO,
}


def load_register(*, db: Session) -> Register:
    """The node's registered marks, its patents and the licensees of each (the detectors
    keep those in force on the day they screen)."""
    marks = [
        MarkRecord(
            m.number,
            m.name,
            frozenset(m.nice_classes),
            m.holder,
            bool(m.well_known),
            m.expiry_date,
        )
        for m in db.scalars(select(Trademark).where(Trademark.status == RightStatus.GRANTED))
    ]
    patents = [
        PatentRecord(
            number=p.number,
            kind=p.patent_kind,  # type: ignore[arg-type]  # every stored patent has a kind
            title=p.name,
            holder=p.holder,
            status=p.status.value,
            grant_date=p.grant_date,
            expiry_date=p.expiry_date,
            locarno_class=p.locarno_class,
            independent_claim=p.independent_claim,
            design_images=tuple(image.uri for image in p.design_images),
        )
        for p in db.scalars(select(Patent))
    ]
    licensees: dict[str, list[Licensee]] = {}
    for licence in db.scalars(select(Licence)):
        licensees.setdefault(licence.right.number, []).append(
            Licensee(licence.licensee, licence.licensee_uscc, licence.starts_on, licence.ends_on)
        )
    return Register(marks, patents, {k: tuple(v) for k, v in licensees.items()})


def monitoring_entries(*, db: Session) -> Sequence[MonitoringEntry]:
    return db.scalars(
        select(MonitoringEntry).order_by(MonitoringEntry.directory, MonitoringEntry.weight.desc())
    ).all()


def priority_boosts(*, db: Session) -> dict[str, dict[str, float]]:
    """Directory -> subject -> weight, from the last computed monitoring directories."""
    boosts: dict[str, dict[str, float]] = {}
    for entry in db.scalars(select(MonitoringEntry)):
        boosts.setdefault(entry.directory, {})[entry.subject] = entry.weight
    return boosts


def _priority(
    score: float, listing: Listing, right_ref: str, boosts: dict[str, dict[str, float]]
) -> float:
    subjects = {
        "high_risk_enterprises": party_key(listing.seller),
        "most_infringed_rights": right_ref,
        "key_trademarks": right_ref,
        "high_risk_products": str(listing.nice_class),
    }
    return round(score + sum(boosts.get(d, {}).get(s, 0.0) for d, s in subjects.items()), 3)


def screen_listing(
    *,
    db: Session,
    screener: "Screener",
    listing: Listing,
    ledger: Ledger,
    images: ImageSource | None = None,
    task: DetectionTask | None = None,
    boosts: dict[str, dict[str, float]] | None = None,
    rights: frozenset[str] | None = None,
) -> list[Lead]:
    """Screen a stored listing; each new finding becomes a suspected lead backed by
    anchored evidence and traced to the jurisdiction that must act. With ``rights``
    (canonical numbers), only findings about those rights count."""
    images = Remembered(images) if images is not None else None
    pictures = []
    if images is not None and screener.designs.designs:
        for uri in listing.image_urls:
            try:
                pictures.append(images.read(uri))
            except UnreadableImage:
                continue
    findings = screener.screen(
        ScreenedListing(
            listing.id,
            listing.title,
            listing.seller,
            listing.nice_class,
            listing.description or "",
            tuple(pictures),
        )
    )
    known = {
        (kind, ref)
        for kind, ref in db.execute(
            select(Lead.kind, Lead.right_ref).where(Lead.listing_id == listing.id)
        )
    }
    findings = [
        f
        for f in findings
        if (LeadKind(f.kind), f.right_id) not in known
        and (rights is None or canonical(f.right_id) in rights)
    ]
    if not findings:
        return []
    evidence = capture(db=db, listing=listing, images=images)
    anchor(ledger=ledger, evidence=evidence)
    jurisdiction = trace(db=db, listing=listing)
    stored = find_rights(db=db, numbers=[f.right_id for f in findings])
    place = jurisdiction.deciding
    traced = (
        (
            Reason.of(
                "jurisdiction", region_code=place.region_code, place=place.role, text=place.text
            ),
        )
        if place is not None
        else ()
    )
    leads = [
        Lead(
            listing_id=listing.id,
            kind=LeadKind(f.kind),
            right_id=stored[f.right_id].id if f.right_id in stored else None,
            right_ref=f.right_id,
            score=f.score,
            priority=_priority(f.score, listing, f.right_id, boosts or {}),
            reasons=sentences((*f.reasons, *traced)),
            reason_codes=[reason.as_json() for reason in (*f.reasons, *traced)],
            status=LeadStatus.SUSPECTED,
            evidence_id=evidence.id,
            task_id=task.id if task else None,
            region_code=jurisdiction.region_code,
        )
        for f in findings
    ]
    db.add_all(leads)
    db.flush()
    return leads


def canonical(right_id: str) -> str:
    """A right's number as stored, however a listing wrote it."""
    try:
        return str(parse_patent_number(right_id))
    except InvalidIdentifier:
        return right_id.strip().upper()


def get_lead(*, db: Session, lead_id: str) -> Lead:
    return get_or_404(db, Lead, lead_id, message=f"no lead {lead_id}", code="lead_not_found")


def review_queue(*, db: Session, after: str | None = None, limit: int = 50) -> Sequence[Lead]:
    """Leads waiting for a reviewer, highest priority first, oldest first among equals;
    from just after the lead ``after`` (the cursor is a lead id, its place in the queue
    is its priority)."""
    query = select(Lead).where(Lead.status.in_(OPEN))
    if after is not None:
        priority = select(Lead.priority).where(Lead.id == after).scalar_subquery()
        query = query.where(
            or_(Lead.priority < priority, and_(Lead.priority == priority, Lead.id > after))
        )
    return db.scalars(query.order_by(Lead.priority.desc(), Lead.id).limit(limit)).all()


def review_lead(
    *,
    db: Session,
    lead_id: str,
    reviewer: str,
    decision: Decision,
    reason: str,
    ledger: Ledger,
    person: Person | None = None,
) -> Lead:
    """Confirm, reject or ask for more about a lead; a confirmation is recorded on the ledger
    (with the pseudonym of the person who decided, if a person did)."""
    if not reason.strip():
        raise InvalidInput("a review gives its reason", code="reason_required")
    lead = get_lead(db=db, lead_id=lead_id)
    if lead.status not in OPEN:
        raise Conflict(f"lead {lead_id} is already {lead.status}", code="lead_decided")
    lead.status = DECIDES[decision]
    review = Review(
        lead_id=lead.id,
        reviewer=reviewer,
        decision=decision,
        reason=reason.strip(),
        person_id=person_id(person),
    )
    db.add(review)
    if decision is not Decision.REQUEST_INFO:
        lead.decided_at = utcnow()
    if decision is Decision.CONFIRM:
        lead.ledger_position = ledger.record(
            TxType.LEAD_RECORDED,
            {
                "lead_id": lead.id,
                "evidence_sha256": lead.evidence.sha256,
                "kind": lead.kind.value,
                **on_ledger(person),
            },
        ).position
    db.flush()
    return lead


def reviews_of(
    *, db: Session, lead_id: str, after: str | None = None, limit: int | None = None
) -> Sequence[Review]:
    query = select(Review).where(Review.lead_id == lead_id).order_by(Review.id).limit(limit)
    if after is not None:
        query = query.where(Review.id > after)
    return db.scalars(query).all()


def precision(*, db: Session) -> list[Precision]:
    """Per detector: confirmed, rejected and open leads, and the share of decided ones confirmed."""
    counts: dict[LeadKind, dict[LeadStatus, int]] = {kind: {} for kind in LeadKind}
    for kind, status, count in db.execute(
        select(Lead.kind, Lead.status, func.count()).group_by(Lead.kind, Lead.status)
    ):
        counts[kind][status] = count
    figures = []
    for kind, by_status in counts.items():
        confirmed = by_status.get(LeadStatus.CONFIRMED, 0)
        rejected = by_status.get(LeadStatus.REJECTED, 0)
        decided = confirmed + rejected
        figures.append(
            Precision(
                kind=kind,
                confirmed=confirmed,
                rejected=rejected,
                open=sum(by_status.get(s, 0) for s in OPEN),
                precision=round(confirmed / decided, 3) if decided else None,
            )
        )
    return figures


def confirmed_lead(*, db: Session, lead_id: str) -> ConfirmedLead:
    """What a confirmed lead pushes to the nodes that must act on it."""
    lead = get_lead(db=db, lead_id=lead_id)
    if lead.status is not LeadStatus.CONFIRMED:
        raise Conflict(f"lead {lead_id} is {lead.status}, not confirmed", code="not_confirmed")
    return ConfirmedLead(
        lead_id=lead.id,
        kind=lead.kind,
        right_id=lead.right_ref,
        score=lead.score,
        reasons=lead.reasons,
        seller=lead.listing.seller,
        region_code=lead.region_code,
        evidence_sha256=lead.evidence.sha256,
        ledger_position=lead.ledger_position,
        confirmed_at=lead.decided_at,
        pushed_at=lead.pushed_at,
    )


def confirmed_leads(
    *, db: Session, after: str | None = None, limit: int = 100
) -> list[ConfirmedLead]:
    """Confirmed leads in id order from just after ``after``: the exchange's outbox source."""
    query = select(Lead.id).where(Lead.status == LeadStatus.CONFIRMED).order_by(Lead.id)
    if after:
        query = query.where(Lead.id > after)
    return [confirmed_lead(db=db, lead_id=i) for i in db.scalars(query.limit(limit))]


def rights_named(*, db: Session, numbers: Sequence[str]) -> dict[str, Right]:
    found = find_rights(db=db, numbers=numbers)
    if missing := [n for n in numbers if n not in found]:
        raise NotFound(f"no right {', '.join(missing)}", code="right_not_found")
    return found
