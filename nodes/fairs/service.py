"""Trade fairs: registration with the pre-exhibition check, patrol scans during the fair,
leads from flagged exhibits, and post-exhibition tracking among online listings."""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ipfed.ledger.identity import Role
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import new_id, utcnow
from ipfed.nodes.errors import Conflict, Forbidden, InvalidInput, NotFound
from ipfed.nodes.fairs.models import Exhibit, ExhibitCheck, Exhibitor, Fair
from ipfed.nodes.fairs.schemas import (
    CheckReport,
    ExhibitLead,
    ExhibitorIn,
    ExhibitorOut,
    ExhibitorRef,
    ExhibitOut,
    FairIn,
    FairOut,
    Flag,
    ListingMatch,
    PatrolOutcome,
    PatrolScanIn,
    TrackedExhibit,
    TrackingReport,
)
from ipfed.nodes.fairs.screening import Screen, normalize, resembling, trademark_screen
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.service import MAX_CLOCK_SKEW
from ipfed.nodes.listings.models import Channel, Listing
from ipfed.nodes.marks.models import BizStep, Mark
from ipfed.nodes.marks.schemas import ScanIn
from ipfed.nodes.marks.service import record_scan
from ipfed.nodes.participants.models import Participant
from ipfed.registry.credential import Claims, RightType
from ipfed.registry.errors import VerificationError
from ipfed.sdk.verify import Verifier

CHINA = timezone(timedelta(hours=8), "CST")  # fair dates are local; China keeps no summer time
STATUS_CACHE = "status-lists"  # other offices' status lists, cached by the node
REGULATORS = frozenset({Role.NATIONAL, Role.REGIONAL, Role.ENFORCEMENT})
IMITATIONS_FLAGGED = 3  # the closest trademarks an exhibit's name resembles
LISTING_CHUNK = 5_000


def fair_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(CHINA).date()


def status_cache(settings: NodeSettings) -> Path:
    return settings.data_dir / STATUS_CACHE


# --- who sees what -----------------------------------------------------------


def get_fair(db: Session, fair_id: str) -> Fair:
    fair = db.get(Fair, fair_id)
    if fair is None:
        raise NotFound(f"no fair {fair_id}", code="fair_not_found")
    return fair


def categories_of(db: Session, organizer: str) -> list[str]:
    return list(db.scalars(select(Fair.category).where(Fair.organizer == organizer).distinct()))


def ensure_visible(db: Session, fair: Fair, org: str, role: Role, *, records: bool = False) -> None:
    """Organizers see their own fairs, regulators every fair. With ``records``
    (flagged exhibits), organizers of fairs in the same category see them too."""
    if role in REGULATORS or (role is Role.FAIR and fair.organizer == org):
        return
    if records and role is Role.FAIR and fair.category in categories_of(db, org):
        return
    raise Forbidden(f"fair {fair.id} is not organized by {org}", code="not_your_fair")


def ensure_organizer(fair: Fair, org: str, role: Role) -> None:
    if role is not Role.FAIR or fair.organizer != org:
        raise Forbidden(f"only {fair.organizer} registers exhibitors", code="not_your_fair")


# --- checking a mark and a name ---------------------------------------------


def _flag(code: str, reason: str, **evidence: str) -> Flag:
    return Flag(code=code, reason=reason, at=utcnow(), evidence=evidence)


def _add_flags(exhibit: Exhibit, flags: Sequence[Flag]) -> None:
    # A new list: the JSON column notices assignment, not mutation.
    exhibit.flags = [*exhibit.flags, *(f.model_dump(mode="json") for f in flags)]
    exhibit.check = ExhibitCheck.FLAGGED if exhibit.flags else ExhibitCheck.CLEARED


def _product_class(exhibit: Exhibit) -> int | str | None:
    return exhibit.nice_class if exhibit.nice_class is not None else exhibit.locarno_class


@dataclass
class MarkCheck:
    mark_id: str | None = None
    valid: Claims | None = None  # the claims of a mark that verified for this use
    flags: list[Flag] = field(default_factory=list)
    event_id: str | None = None


class Inspector:
    """Verifies the marks shown at one fair: this office's own marks against their stored
    status (recording an EPCIS ``inspecting`` event and looking for clones), other
    offices' marks against the status lists the node caches."""

    def __init__(self, db: Session, settings: NodeSettings, fair: Fair, by: str) -> None:
        self.db, self.settings, self.fair, self.by = db, settings, fair, by
        identity = node_identity(settings)
        self.own_key_id = identity.key_id
        try:
            self.verifier = Verifier(identity.bundle, cache_dir=status_cache(settings))
        except (VerificationError, ValidationError, OSError):
            # An unreadable cache leaves other offices' marks unconfirmed, and flagged.
            self.verifier = Verifier(identity.bundle)

    def check(
        self, exhibitor: Exhibitor, exhibit: Exhibit, token: str, scan: PatrolScanIn | None = None
    ) -> MarkCheck:
        try:
            claims, key_id = self._authenticate(token)
        except VerificationError as exc:
            return MarkCheck(flags=[_flag(exc.code, exc.message)])
        product_class = _product_class(exhibit)
        if key_id == self.own_key_id:
            return self._own(claims, exhibitor, product_class, token, scan)
        try:
            self.verifier.verify(token, product_class=product_class, seller=exhibitor.uscc)
        except VerificationError as exc:
            flag = _flag(exc.code, f"issued by another office: {exc.message}")
            return MarkCheck(claims.mark_id, flags=[flag])
        return MarkCheck(claims.mark_id, claims)

    def _authenticate(self, token: str) -> tuple[Claims, str]:
        authenticated = self.verifier.authenticate(token)
        return authenticated.claims, authenticated.key_id

    def _own(
        self,
        claims: Claims,
        exhibitor: Exhibitor,
        product_class: int | str | None,
        token: str,
        scan: PatrolScanIn | None,
    ) -> MarkCheck:
        if self.db.get(Mark, claims.mark_id) is None:
            flag = _flag("unknown_mark", "signed by this office, but no such mark is stored")
            return MarkCheck(claims.mark_id, flags=[flag])
        place = " ".join(filter(None, [self.fair.venue, exhibitor.booth]))[:300]
        result = record_scan(
            self.db,
            self.settings,
            ScanIn(
                token=token,
                biz_step=BizStep.INSPECTING,
                seen_at=scan.seen_at if scan else None,
                place=place,
                region_code=self.fair.region_code,
                latitude=scan.latitude if scan else None,
                longitude=scan.longitude if scan else None,
                seller_uscc=exhibitor.uscc,
                product_class=product_class,
            ),
            self.by,
        )
        flags = [] if result.valid else [_flag(result.error or "invalid", result.detail or "")]
        flags += [
            _flag("clone_suspected", alert.reason, alert_id=alert.id, unit=alert.unit_serial)
            for alert in result.alerts
        ]
        return MarkCheck(claims.mark_id, None if flags else claims, flags, result.event_id)


def _imitations(
    screen: Screen, exhibitor: Exhibitor, exhibit: Exhibit, valid: Claims | None
) -> list[Flag]:
    """The trademarks the exhibit's name imitates, bar the one its valid mark is of."""
    if exhibit.nice_class is None:
        return []
    flags = []
    for hit in screen(exhibit.name, exhibit.nice_class, exhibitor.name, exhibitor.uscc):
        if valid and valid.right_type is RightType.TRADEMARK and valid.right_number == hit.number:
            continue
        reason = (
            f"「{hit.text}」 looks like registered trademark {hit.number} {hit.name} "
            f"of {hit.holder} in class {hit.nice_class}, and no valid mark of it is shown"
        )
        evidence = {
            "right_id": hit.right_id,
            "right_number": hit.number,
            "trademark": hit.name,
            "holder": hit.holder,
            "text": hit.text,
            "similarity": f"{hit.score:.0f}",
        }
        flags.append(_flag("imitates_trademark", reason, **evidence))
    return flags[:IMITATIONS_FLAGGED]


# --- before the fair: registration and the pre-exhibition check -------------


def _before_opening(fair: Fair | FairIn, today: date) -> None:
    if today >= fair.starts_on:
        raise Conflict(
            f"the fair opens on {fair.starts_on}: exhibits are registered before that",
            code="fair_started",
        )


def register_fair(
    db: Session,
    settings: NodeSettings,
    request: FairIn,
    organizer: str,
    today: date,
    on_progress: Callable[[int], None] | None = None,
) -> Fair:
    """Store a fair with its exhibitors and check every exhibit."""
    _before_opening(request, today)
    fair = Fair(
        id=new_id(),
        name=request.name,
        organizer=organizer,
        venue=request.venue,
        region_code=request.region_code,
        category=request.category,
        starts_on=request.starts_on,
        ends_on=request.ends_on,
    )
    db.add(fair)
    db.flush()
    add_exhibitors(db, settings, fair, request.exhibitors, today, on_progress)
    return fair


def add_exhibitors(
    db: Session,
    settings: NodeSettings,
    fair: Fair,
    exhibitors: Sequence[ExhibitorIn],
    today: date,
    on_progress: Callable[[int], None] | None = None,
) -> list[Exhibitor]:
    """Register exhibitors and their exhibits, each checked as it is stored.
    ``on_progress`` hears the number of exhibits checked so far."""
    _before_opening(fair, today)
    known = set(db.scalars(select(Exhibitor.uscc).where(Exhibitor.fair_id == fair.id)))
    twice = sorted(known & {e.uscc for e in exhibitors})
    if twice:
        raise Conflict(
            f"already registered at this fair: {', '.join(twice)}", code="duplicate_exhibitor"
        )
    inspector: Inspector | None = None  # made on the first mark: it needs the node's identity
    screen = trademark_screen(db, fair.starts_on)
    stored, checked = [], 0
    for item in exhibitors:
        exhibitor = Exhibitor(
            id=new_id(), fair=fair, name=item.name, uscc=item.uscc, booth=item.booth
        )
        db.add(exhibitor)
        for request in item.exhibits:
            exhibit = Exhibit(
                id=new_id(),
                fair=fair,
                exhibitor=exhibitor,
                name=request.name,
                description=request.description,
                nice_class=request.nice_class,
                locarno_class=request.locarno_class,
                mark_token=request.mark,
                check=ExhibitCheck.CLEARED,
                flags=[],
            )
            db.add(exhibit)
            result = MarkCheck()
            if request.mark is not None:
                inspector = inspector or Inspector(db, settings, fair, fair.organizer)
                result = inspector.check(exhibitor, exhibit, request.mark)
                exhibit.mark_id = result.mark_id
            imitations = _imitations(screen, exhibitor, exhibit, result.valid)
            _add_flags(exhibit, [*result.flags, *imitations])
            checked += 1
            if on_progress is not None:
                on_progress(checked)
        stored.append(exhibitor)
    db.flush()
    return stored


def check_report(db: Session, fair: Fair) -> CheckReport:
    exhibitors = db.scalars(
        select(Exhibitor)
        .where(Exhibitor.fair_id == fair.id)
        .options(selectinload(Exhibitor.exhibits))
        .order_by(Exhibitor.id)
    ).all()
    exhibits = [exhibit for exhibitor in exhibitors for exhibit in exhibitor.exhibits]
    flagged = sum(e.check is ExhibitCheck.FLAGGED for e in exhibits)
    codes = Counter(flag["code"] for e in exhibits for flag in e.flags)
    return CheckReport(
        fair=FairOut.model_validate(fair),
        exhibits=len(exhibits),
        cleared=len(exhibits) - flagged,
        flagged=flagged,
        flags_by_code=dict(codes.most_common()),
        exhibitors=[ExhibitorOut.model_validate(e) for e in exhibitors],
    )


def list_fairs(db: Session, organizer: str | None, after: str | None, limit: int) -> Sequence[Fair]:
    query = select(Fair).order_by(Fair.id).limit(limit)
    if organizer is not None:
        query = query.where(Fair.organizer == organizer)
    if after is not None:
        query = query.where(Fair.id > after)
    return db.scalars(query).all()


# --- during the fair: patrols -------------------------------------------------


def get_exhibit(db: Session, fair: Fair, exhibit_id: str) -> Exhibit:
    exhibit = db.get(Exhibit, exhibit_id)
    if exhibit is None or exhibit.fair_id != fair.id:
        raise NotFound(f"no exhibit {exhibit_id} at fair {fair.id}", code="exhibit_not_found")
    return exhibit


def patrol_scan(
    db: Session, settings: NodeSettings, fair: Fair, exhibit: Exhibit, scan: PatrolScanIn, by: str
) -> PatrolOutcome:
    """A mark scanned at a booth while the fair is open: a scan that fails flags the exhibit."""
    now = utcnow()
    seen_at = scan.seen_at or now
    if seen_at > now + MAX_CLOCK_SKEW:
        raise InvalidInput("the scan's time is in the future", code="future_scan")
    if not fair.starts_on <= fair_today(seen_at) <= fair.ends_on:
        raise Conflict(
            f"the fair is open from {fair.starts_on} to {fair.ends_on}", code="fair_not_open"
        )
    result = Inspector(db, settings, fair, by).check(exhibit.exhibitor, exhibit, scan.token, scan)
    _add_flags(exhibit, result.flags)
    return PatrolOutcome(
        exhibit=ExhibitOut.model_validate(exhibit),
        valid=not result.flags,
        new_flags=result.flags,
        event_id=result.event_id,
    )


# --- leads and infringement records -------------------------------------------


def _lead(exhibit: Exhibit) -> ExhibitLead:
    return ExhibitLead(
        exhibit=ExhibitOut.model_validate(exhibit),
        exhibitor=ExhibitorRef.model_validate(exhibit.exhibitor),
        fair=FairOut.model_validate(exhibit.fair),
    )


def flagged_exhibits(
    db: Session,
    *,
    fair_id: str | None = None,
    categories: Sequence[str] | None = None,
    after: str | None = None,
    limit: int | None = None,
) -> list[ExhibitLead]:
    """Flagged exhibits as leads, ready for a review queue: of one fair, or of every
    fair in ``categories`` (None: every category)."""
    query = (
        select(Exhibit)
        .join(Exhibit.fair)
        .where(Exhibit.check == ExhibitCheck.FLAGGED)
        .options(joinedload(Exhibit.exhibitor), joinedload(Exhibit.fair))
        .order_by(Exhibit.id)
        .limit(limit)
    )
    if fair_id is not None:
        query = query.where(Exhibit.fair_id == fair_id)
    if categories is not None:
        query = query.where(Fair.category.in_(categories))
    if after is not None:
        query = query.where(Exhibit.id > after)
    return [_lead(exhibit) for exhibit in db.scalars(query)]


# --- after the fair: tracking online ------------------------------------------


def track_online(db: Session, fair: Fair, today: date) -> TrackingReport:
    """Look for the fair's flagged exhibits among online listings captured since it
    opened: sold by the same exhibitor, or under a look-alike title, in the same class."""
    if today <= fair.ends_on:
        raise Conflict(f"the fair runs until {fair.ends_on}", code="fair_not_over")
    leads = flagged_exhibits(db, fair_id=fair.id)
    matches: list[list[ListingMatch]] = [[] for _ in leads]
    # What to look for: each lead's name and look-alike texts, and who sells it: the
    # exhibitor's normalized name, or its shops as "platform:shop" (no normalized name has ":").
    keys: list[str] = []
    key_lead: list[int] = []
    by_seller: dict[str, set[int]] = {}
    for n, lead in enumerate(leads):
        texts = {normalize(lead.exhibit.name)} | {
            normalize(flag.evidence["text"])
            for flag in lead.exhibit.flags
            if "text" in flag.evidence
        }
        for text in sorted(texts - {""}):
            keys.append(text)
            key_lead.append(n)
        sellers = {normalize(lead.exhibitor.name)}
        participant = db.scalar(select(Participant).where(Participant.uscc == lead.exhibitor.uscc))
        sellers |= (
            {f"{s.platform}:{s.shop_id}" for s in participant.shops} if participant else set()
        )
        for seller in sellers:
            by_seller.setdefault(seller, set()).add(n)
    query = (
        select(Listing)
        .where(Listing.channel == Channel.ONLINE)
        .where(Listing.captured_at >= datetime.combine(fair.starts_on, time(), CHINA))
        .order_by(Listing.id)
        .execution_options(yield_per=LISTING_CHUNK)
    )
    searched = 0
    for chunk in db.scalars(query).partitions() if leads else ():
        searched += len(chunk)
        titles = [normalize(listing.title) for listing in chunk]
        for listing, close in zip(chunk, resembling(keys, titles), strict=True):
            similar: dict[int, float] = {}
            for key, score in close.items():
                similar[key_lead[key]] = max(score, similar.get(key_lead[key], 0.0))
            same_seller = by_seller.get(normalize(listing.seller), set()) | by_seller.get(
                f"{listing.source}:{listing.seller_shop_id}", set()
            )
            for n in similar.keys() | same_seller:
                match = _match(leads[n], listing, n in same_seller, similar.get(n, 0.0))
                if match is not None:
                    matches[n].append(match)
    return TrackingReport(
        fair=FairOut.model_validate(fair),
        listings_searched=searched,
        exhibits=[TrackedExhibit(lead=x, matches=m) for x, m in zip(leads, matches, strict=True)],
    )


def _match(
    lead: ExhibitLead, listing: Listing, same_seller: bool, similarity: float
) -> ListingMatch | None:
    nice_class = lead.exhibit.nice_class
    if nice_class is not None and listing.nice_class not in (None, nice_class):
        return None  # goods of another class are another product
    reasons = ["same_seller"] if same_seller else []
    reasons += ["similar_title"] if similarity else []
    return ListingMatch(
        listing_id=listing.id,
        source=listing.source,
        url=listing.url,
        title=listing.title,
        seller=listing.seller,
        price=listing.price,
        captured_at=listing.captured_at,
        reasons=reasons,
        similarity=similarity,
    )
