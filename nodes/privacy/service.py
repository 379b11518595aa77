"""Erasing personal fields: those past their retention period, and a data subject's.

A field is erased by setting it to NULL, or to :data:`ERASED` where the column cannot
be empty. Erasing selects only records that still hold personal data, so running it
again changes nothing. Hashes stay: an evidence record keeps the SHA-256 the ledger
anchored (its snapshot, which holds the seller, is emptied), a scan keeps its ledger
position; the ledger itself holds only hashes and public fields and is never touched.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Update,
    and_,
    delete,
    exists,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ipfed.detection.text import party_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import page_of, utcnow
from ipfed.nodes.detection.models import Evidence, EvidenceImage, Lead, MonitoringEntry
from ipfed.nodes.errors import Conflict, InvalidInput
from ipfed.nodes.fairs.models import Exhibitor
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.marks.models import CloneAlert, MarkEvent
from ipfed.nodes.participants.models import Participant, Shop
from ipfed.nodes.privacy import envelopes
from ipfed.nodes.privacy.models import ERASED, Cause, Erasure
from ipfed.nodes.privacy.schemas import ErasureRequestIn

BATCH = 500  # records of one kind per transaction

# The kinds of record counted in an erasure.
LISTINGS = "listings"  # a listing's seller, shop, booth, URL and description
EVIDENCE = "evidence"  # an evidence snapshot and its images (the hash stays)
SCANS = "scans"  # a scan's place, coordinates and seller's credit code
PARTICIPANTS = "participants"  # a participant's name, credit code, address and shops
ENVELOPES = "envelopes"  # an exchanged envelope that names a seller (its bytes)
EXHIBITORS = "exhibitors"  # a fair exhibitor's name, credit code and booth
KINDS = (LISTINGS, EVIDENCE, SCANS, PARTICIPANTS, EXHIBITORS, ENVELOPES)


@dataclass(frozen=True)
class Retention:
    """How long each kind of personal data is kept (see NodeSettings for the why)."""

    listings: timedelta  # listings that raised no lead
    leads: timedelta  # listings that raised a lead, and their evidence
    scans: timedelta

    @classmethod
    def of(cls, settings: NodeSettings) -> "Retention":
        return cls(
            listings=timedelta(days=settings.retention_listing_days),
            leads=timedelta(days=settings.retention_lead_days),
            scans=timedelta(days=settings.retention_scan_days),
        )


def erase_listings(*, db: Session, listing_ids: Sequence[str]) -> Counter[str]:
    """Erase the seller's fields of these listings and their evidence snapshots."""
    counts: Counter[str] = Counter()
    if not listing_ids:
        return counts
    counts[LISTINGS] = _changed(
        db,
        update(Listing)
        .where(Listing.id.in_(listing_ids), Listing.seller != ERASED)
        .values(seller=ERASED, seller_shop_id=None, booth=None, url=None, description=None),
    )
    of_listings = select(Evidence.id).where(Evidence.listing_id.in_(listing_ids))
    counts[EVIDENCE] = _changed(
        db,
        update(Evidence)
        .where(Evidence.id.in_(of_listings), func.length(Evidence.snapshot) > 0)
        .values(snapshot=b""),
    )
    _changed(
        db,
        update(EvidenceImage)
        .where(EvidenceImage.evidence_id.in_(of_listings), func.length(EvidenceImage.data) > 0)
        .values(data=b""),
    )
    return counts


_SCAN_FIELDS = (MarkEvent.place, MarkEvent.latitude, MarkEvent.longitude, MarkEvent.seller_uscc)


def erase_scans(*, db: Session, event_ids: Sequence[str]) -> int:
    """Erase the place, coordinates and seller of these mark events; the event, its
    region code and its ledger position stay."""
    if not event_ids:
        return 0
    sellers = set(
        db.scalars(
            select(MarkEvent.seller_uscc).where(
                MarkEvent.id.in_(event_ids), MarkEvent.seller_uscc.is_not(None)
            )
        )
    )
    erased = _changed(
        db,
        update(MarkEvent)
        .where(MarkEvent.id.in_(event_ids), or_(*(f.is_not(None) for f in _SCAN_FIELDS)))
        .values(place=None, latitude=None, longitude=None, seller_uscc=None),
    )
    # A clone alert on these sightings names their sellers in its reason.
    on_them = or_(
        CloneAlert.first_event_id.in_(event_ids), CloneAlert.second_event_id.in_(event_ids)
    )
    for uscc in sellers:
        _changed(
            db,
            update(CloneAlert)
            .where(on_them, CloneAlert.reason.contains(uscc))
            .values(reason=func.replace(CloneAlert.reason, uscc, ERASED)),
        )
    return erased


@dataclass
class Progress:
    """How far a round has gone through each kind of record: the last id it looked at.
    Records are taken in id order, so each batch starts where the last one stopped
    instead of reading again what is erased or kept."""

    unled: str | None = None
    led: str | None = None
    scans: str | None = None
    sent: str | None = None
    received: int | None = None
    more: bool = True  # the last batch found something: there may be more


def erase_expired(
    *,
    db: Session,
    retention: Retention,
    now: datetime,
    limit: int = BATCH,
    progress: Progress | None = None,
) -> Counter[str]:
    """One batch (up to ``limit`` records of each kind) of what is past its retention,
    after ``progress`` (which it moves on)."""
    at = progress or Progress()
    has_lead = exists().where(Lead.listing_id == Listing.id)
    unled = db.scalars(
        select(Listing.id)
        .where(
            ~has_lead,
            Listing.captured_at < now - retention.listings,
            Listing.seller != ERASED,
            _after(Listing.id, at.unled),
        )
        .order_by(Listing.id)
        .limit(limit)
    ).all()
    # A listing behind leads is kept for the leads' period after the last of them was
    # found or decided.
    last_lead = func.max(func.coalesce(Lead.decided_at, Lead.created_at))
    stale = (
        select(Lead.listing_id)
        .where(_after(Lead.listing_id, at.led))
        .group_by(Lead.listing_id)
        .having(last_lead < now - retention.leads)
    )
    led = db.scalars(
        select(Listing.id)
        .where(Listing.id.in_(stale), Listing.seller != ERASED)
        .order_by(Listing.id)
        .limit(limit)
    ).all()
    scans = db.scalars(
        select(MarkEvent.id)
        .where(
            MarkEvent.event_time < now - retention.scans,
            or_(*(f.is_not(None) for f in _SCAN_FIELDS)),
            _after(MarkEvent.id, at.scans),
        )
        .order_by(MarkEvent.id)
        .limit(limit)
    ).all()
    sent, received = envelopes.expired(
        db=db, before=now - retention.leads, limit=limit, after=(at.sent, at.received)
    )
    counts = erase_listings(db=db, listing_ids=unled)
    counts.update(erase_listings(db=db, listing_ids=led))
    counts[SCANS] = erase_scans(db=db, event_ids=scans)
    counts[ENVELOPES] = envelopes.erase(db=db, sent=sent, received=received)
    at.unled = unled[-1] if unled else at.unled
    at.led = led[-1] if led else at.led
    at.scans = scans[-1] if scans else at.scans
    at.sent = sent[-1] if sent else at.sent
    at.received = received[-1] if received else at.received
    at.more = bool(unled or led or scans or sent or received)
    return +counts


def _after(column: Any, last: object) -> ColumnElement[bool]:
    return true() if last is None else column > last


def record_retention(*, db: Session, erasure_id: str | None, counts: Counter[str]) -> str:
    """Add a batch's counts to the round's record (made by its first batch); its id."""
    if erasure_id is None:
        erasure = Erasure(cause=Cause.RETENTION, counts=dict(counts))
        db.add(erasure)
        db.flush()
        return erasure.id
    erasure = db.get_one(Erasure, erasure_id)
    erasure.counts = dict(Counter(erasure.counts) + counts)
    return erasure.id


def erase_subject(
    *, db: Session, request: ErasureRequestIn, recorded_by: str, now: datetime | None = None
) -> Erasure:
    """Erase, now, every personal field of the subject the decided request names, and
    record the decision with what it changed."""
    if request.seller is None and request.uscc is None and request.shop is None:
        raise InvalidInput(
            "name the subject by seller, credit code or shop", code="subject_required"
        )
    if db.scalar(select(Erasure.id).where(Erasure.request_ref == request.request_ref)):
        raise Conflict(
            f"request {request.request_ref} was already carried out", code="erasure_recorded"
        )
    participants, names, usccs, shops = _known_as(db, request)
    listing_matches: list[ColumnElement[bool]] = [Listing.seller.in_(names)] if names else []
    listing_matches += [
        and_(Listing.source == platform, Listing.seller_shop_id == shop_id)
        for platform, shop_id in shops
    ]
    counts: Counter[str] = Counter()
    if listing_matches:
        listings = select(Listing.id).where(or_(*listing_matches), Listing.seller != ERASED)
        for batch in _batches(db.scalars(listings).all()):
            counts.update(erase_listings(db=db, listing_ids=batch))
    if names or shops:
        sent, received = envelopes.naming(db=db, names=names, shops=shops)
        why = f"its personal data was erased on request {request.request_ref}"
        counts[ENVELOPES] = envelopes.erase(db=db, sent=sent, received=received, why=why)
    if usccs:
        scans = select(MarkEvent.id).where(MarkEvent.seller_uscc.in_(usccs))
        for batch in _batches(db.scalars(scans).all()):
            counts[SCANS] += erase_scans(db=db, event_ids=batch)
    if names or usccs:
        counts[EXHIBITORS] = _changed(
            db,
            update(Exhibitor)
            .where(
                or_(Exhibitor.name.in_(names), Exhibitor.uscc.in_(usccs)),
                Exhibitor.name != ERASED,
            )
            .values(name=ERASED, uscc=ERASED, booth=None),
        )
    # The stored risk directory lists enterprises by seller name until it is recomputed.
    db.execute(
        delete(MonitoringEntry).where(
            MonitoringEntry.directory == "high_risk_enterprises",
            MonitoringEntry.subject.in_({party_key(name) for name in names}),
        )
    )
    for participant in participants:
        if participant.name != ERASED or participant.uscc or participant.registered_address:
            participant.name, participant.uscc, participant.registered_address = ERASED, None, None
            participant.shops.clear()
            counts[PARTICIPANTS] += 1
    erasure = Erasure(
        cause=Cause.REQUEST,
        request_ref=request.request_ref,
        decided_by=request.decided_by,
        recorded_by=recorded_by,
        counts={kind: counts[kind] for kind in KINDS},
        created_at=now or utcnow(),
    )
    try:
        with db.begin_nested():  # the same request carried out at the same time elsewhere
            db.add(erasure)
    except IntegrityError:
        raise Conflict(
            f"request {request.request_ref} was already carried out", code="erasure_recorded"
        ) from None
    return erasure


def _known_as(
    db: Session, request: ErasureRequestIn
) -> tuple[Sequence[Participant], set[str], set[str], set[tuple[str, str]]]:
    """The subject as the node knows them: their entries in the participants' register
    (by name, credit code or shop), and every name, credit code and shop of theirs."""
    matches = []
    if request.seller is not None:
        matches.append(Participant.name == request.seller)
    if request.uscc is not None:
        matches.append(Participant.uscc == request.uscc)
    if request.shop is not None:
        matches.append(
            Participant.id.in_(
                select(Shop.participant_id).where(
                    Shop.platform == request.shop.platform, Shop.shop_id == request.shop.shop_id
                )
            )
        )
    participants = db.scalars(select(Participant).where(or_(*matches))).all()
    names = {p.name for p in participants} | ({request.seller} if request.seller else set())
    names.discard(ERASED)
    usccs = {p.uscc for p in participants if p.uscc} | ({request.uscc} if request.uscc else set())
    shops = {(s.platform, s.shop_id) for p in participants for s in p.shops}
    if request.shop is not None:
        shops.add((request.shop.platform, request.shop.shop_id))
    return participants, names, usccs, shops


def erasures(*, db: Session, after: str | None = None, limit: int = 50) -> Sequence[Erasure]:
    return db.scalars(page_of(Erasure, after=after, limit=limit)).all()


def _batches(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]


def _changed(db: Session, statement: Update) -> int:
    """How many rows a bulk UPDATE changed (the session's objects are not synchronised:
    the caller reads the rows again if it needs them)."""
    result = db.execute(statement.execution_options(synchronize_session=False))
    return cast(CursorResult[Any], result).rowcount
