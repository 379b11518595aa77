"""Trade fairs: registration with the pre-exhibition check, patrol scans during the fair,
leads from flagged exhibits, and post-exhibition tracking among online listings."""

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ipfed.ledger.identity import Role
from ipfed.nodes.accounts.person import Person, person_id
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import get_or_404, new_id, page_of, utcnow
from ipfed.nodes.errors import Conflict, Forbidden, InvalidInput, NotFound
from ipfed.nodes.fairs.inspection import (
    Inspector,
    MarkCheck,
    add_flags,
    flag,
    imitations,
    recheck,
)
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
    FlagDecision,
    FlagReview,
    PatrolOutcome,
    PatrolScanIn,
)
from ipfed.nodes.fairs.screening import trademark_screen
from ipfed.nodes.ledger.service import MAX_CLOCK_SKEW
from ipfed.nodes.marks.scans import Reporter

CHINA = timezone(timedelta(hours=8), "CST")  # fair dates are local; China keeps no summer time
REGULATORS = frozenset({Role.NATIONAL, Role.REGIONAL, Role.ENFORCEMENT})


def fair_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(CHINA).date()


# --- who sees what -----------------------------------------------------------


def get_fair(*, db: Session, fair_id: str) -> Fair:
    return get_or_404(db, Fair, fair_id, message=f"no fair {fair_id}", code="fair_not_found")


def ensure_visible(*, fair: Fair, org: str, role: Role) -> None:
    """Organizers see their own fairs, regulators every fair. (A category is whatever a
    registration claims, so sharing flagged exhibits by category would hand them to
    anyone who registers a fair in it.)"""
    if role in REGULATORS or (role is Role.FAIR and fair.organizer == org):
        return
    raise Forbidden(f"fair {fair.id} is not organized by {org}", code="not_your_fair")


def ensure_organizer(*, fair: Fair, org: str, role: Role) -> None:
    if role is not Role.FAIR or fair.organizer != org:
        raise Forbidden(f"only {fair.organizer} registers exhibitors", code="not_your_fair")


# --- before the fair: registration and the pre-exhibition check -------------


def _before_opening(fair: Fair | FairIn, today: date) -> None:
    if today >= fair.starts_on:
        raise Conflict(
            f"the fair opens on {fair.starts_on}: exhibits are registered before that",
            code="fair_started",
        )


def register_fair(
    *,
    db: Session,
    settings: NodeSettings,
    request: FairIn,
    organizer: str,
    today: date,
    on_progress: Callable[[int], None] | None = None,
) -> Fair:
    """Store a fair with its exhibitors and check every exhibit."""
    if not organizer.strip() or len(organizer) > 300:  # the organizer's API key names it
        raise InvalidInput("an organizer's name has 1 to 300 characters", code="bad_organizer")
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
    add_exhibitors(
        db=db,
        settings=settings,
        fair=fair,
        exhibitors=request.exhibitors,
        today=today,
        on_progress=on_progress,
    )
    return fair


def add_exhibitors(
    *,
    db: Session,
    settings: NodeSettings,
    fair: Fair,
    exhibitors: Sequence[ExhibitorIn],
    today: date,
    on_progress: Callable[[int], None] | None = None,
) -> None:
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
    screen = trademark_screen(db=db, on=fair.starts_on)
    checked = 0
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
                organizer = Reporter(fair.organizer, Role.FAIR)  # its own registration
                inspector = inspector or Inspector(db, settings, fair, organizer)
                result = inspector.check(exhibitor, exhibit, request.mark)
                exhibit.mark_id = result.mark_id
            add_flags(
                exhibit, [*result.flags, *imitations(screen, exhibitor, exhibit, result.valid)]
            )
            checked += 1
            if on_progress is not None:
                on_progress(checked)
    db.flush()


def check_report(*, db: Session, fair: Fair) -> CheckReport:
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


def list_fairs(
    *, db: Session, organizer: str | None, after: str | None, limit: int
) -> Sequence[Fair]:
    query = page_of(Fair, after=after, limit=limit)
    if organizer is not None:
        query = query.where(Fair.organizer == organizer)
    return db.scalars(query).all()


# --- during the fair: patrols -------------------------------------------------


def get_exhibit(*, db: Session, fair: Fair, exhibit_id: str) -> Exhibit:
    exhibit = db.get(Exhibit, exhibit_id)
    if exhibit is None or exhibit.fair_id != fair.id:
        raise NotFound(f"no exhibit {exhibit_id} at fair {fair.id}", code="exhibit_not_found")
    return exhibit


def patrol_scan(
    *,
    db: Session,
    settings: NodeSettings,
    fair: Fair,
    exhibit: Exhibit,
    scan: PatrolScanIn,
    by: Reporter,
) -> PatrolOutcome:
    """A mark scanned at a booth while the fair is open: a scan that fails flags the exhibit."""
    now = utcnow()  # a scan is timed by its arrival; the time its sender gives is recorded
    if scan.seen_at is not None and scan.seen_at > now + MAX_CLOCK_SKEW:
        raise InvalidInput("the scan's time is in the future", code="future_scan")
    if not fair.starts_on <= fair_today(now) <= fair.ends_on:
        raise Conflict(
            f"the fair is open from {fair.starts_on} to {fair.ends_on}", code="fair_not_open"
        )
    result = Inspector(db, settings, fair, by).check(exhibit.exhibitor, exhibit, scan.token, scan)
    add_flags(exhibit, result.flags)
    return PatrolOutcome(
        exhibit=ExhibitOut.model_validate(exhibit),
        valid=not result.flags,
        new_flags=result.flags,
        event_id=result.event_id,
    )


# --- flags reviewed, flags raised by hand ---------------------------------------


def review_flag(
    *,
    exhibit: Exhibit,
    index: int,
    decision: FlagDecision,
    reason: str,
    org: str,
    person: Person | None,
    now: datetime,
) -> None:
    """Clear or uphold one flag of an exhibit, with the reason and who decided.
    A cleared flag no longer counts; the exhibit is cleared once none counts."""
    if not reason.strip():
        raise InvalidInput("say why the flag is cleared or upheld", code="reason_required")
    if not 0 <= index < len(exhibit.flags):
        raise NotFound(f"exhibit {exhibit.id} has no flag {index}", code="flag_not_found")
    review = FlagReview(
        decision=decision, reason=reason.strip(), person=person_id(person), by=org, at=now
    )
    flags = [dict(stored) for stored in exhibit.flags]  # a new list: see add_flags
    flags[index]["review"] = review.model_dump(mode="json")
    exhibit.flags = flags
    recheck(exhibit)


def flag_by_hand(*, exhibit: Exhibit, reason: str, org: str, person: Person | None) -> None:
    """An inspector's own flag on an exhibit seen at its booth."""
    if not reason.strip():
        raise InvalidInput("say why the exhibit is flagged", code="reason_required")
    who = {"org": org} | ({"person": person.id} if person else {})
    add_flags(exhibit, [flag("flagged_by_inspector", reason.strip(), **who)])


# --- leads and infringement records -------------------------------------------


def _lead(exhibit: Exhibit) -> ExhibitLead:
    return ExhibitLead(
        exhibit=ExhibitOut.model_validate(exhibit),
        exhibitor=ExhibitorRef.model_validate(exhibit.exhibitor),
        fair=FairOut.model_validate(exhibit.fair),
    )


def flagged_exhibits(
    *,
    db: Session,
    fair_id: str | None = None,
    organizer: str | None = None,
    categories: Sequence[str] | None = None,
    after: str | None = None,
    limit: int | None = None,
) -> list[ExhibitLead]:
    """Flagged exhibits as leads, ready for a review queue: of one fair, or of every
    fair of ``organizer`` (None: every organizer) in ``categories`` (None: every category)."""
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
    if organizer is not None:
        query = query.where(Fair.organizer == organizer)
    if categories is not None:
        query = query.where(Fair.category.in_(categories))
    if after is not None:
        query = query.where(Exhibit.id > after)
    return [_lead(exhibit) for exhibit in db.scalars(query)]
