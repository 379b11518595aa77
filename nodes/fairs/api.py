"""Trade fairs over HTTP: organizers register fairs and exhibitors before opening,
inspectors scan marks at booths, reviewers read leads and post-exhibition tracking.

Organizers see their own fairs; regulators (offices, enforcement) every fair."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from ipfed.nodes.auth.dependencies import Caller, current_caller
from ipfed.nodes.auth.models import Role
from ipfed.nodes.body_limit import max_body
from ipfed.nodes.fairs import service, tracking
from ipfed.nodes.fairs.schemas import (
    CheckReport,
    ExhibitLead,
    Exhibitors,
    FairIn,
    FairOut,
    PatrolOutcome,
    PatrolScanIn,
    TrackingReport,
    category_key,
)
from ipfed.nodes.http import DB, ULID_PATTERN, After, Limit, Settings, page
from ipfed.nodes.marks.scans import Reporter
from ipfed.nodes.schemas import Page

router = APIRouter(prefix="/fairs", tags=["fairs"])
Id = Annotated[str, Path(pattern=ULID_PATTERN)]
Organizer = Annotated[Caller, Depends(current_caller)]
# Organizers, and the offices and enforcement authorities that inspect fairs.
Viewer = Annotated[Caller, Depends(current_caller)]
# A large fair's exhibitors and exhibits, sent at once, take a few megabytes.
EXHIBITORS_BODY = max_body(32 << 20)


@router.post("", status_code=201, openapi_extra=EXHIBITORS_BODY)
def register_fair(db: DB, settings: Settings, body: FairIn, caller: Organizer) -> CheckReport:
    """Register a fair before it opens, with exhibitors and exhibits, each one checked."""
    fair = service.register_fair(
        db=db, settings=settings, request=body, organizer=caller.org, today=service.fair_today()
    )
    return service.check_report(db=db, fair=fair)


@router.get("")
def list_fairs(db: DB, caller: Viewer, after: After = None, limit: Limit = 50) -> Page[FairOut]:
    organizer = caller.org if caller.role is Role.FAIR else None
    return page(
        FairOut, service.list_fairs(db=db, organizer=organizer, after=after, limit=limit), limit
    )


@router.get("/infringements")
def infringement_records(
    db: DB,
    caller: Viewer,
    category: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[ExhibitLead]:
    """Flagged exhibits of the caller's own fairs (organizers) or of every fair
    (regulators), in one category or all, with exhibitor names."""
    categories = [category_key(category)] if category is not None else None
    organizer = caller.org if caller.role is Role.FAIR else None
    leads = service.flagged_exhibits(
        db=db, organizer=organizer, categories=categories, after=after, limit=limit
    )
    return page(ExhibitLead, leads, limit, key=lambda lead: lead.exhibit.id)


@router.get("/{fair_id}")
def check_report(db: DB, fair_id: Id, caller: Viewer) -> CheckReport:
    fair = service.get_fair(db=db, fair_id=fair_id)
    service.ensure_visible(fair=fair, org=caller.org, role=caller.role)
    return service.check_report(db=db, fair=fair)


@router.post("/{fair_id}/exhibitors", status_code=201, openapi_extra=EXHIBITORS_BODY)
def add_exhibitors(
    db: DB, settings: Settings, fair_id: Id, body: Exhibitors, caller: Organizer
) -> CheckReport:
    fair = service.get_fair(db=db, fair_id=fair_id)
    service.ensure_organizer(fair=fair, org=caller.org, role=caller.role)
    service.add_exhibitors(
        db=db, settings=settings, fair=fair, exhibitors=body.exhibitors, today=service.fair_today()
    )
    return service.check_report(db=db, fair=fair)


@router.post("/{fair_id}/exhibits/{exhibit_id}/scans")
def patrol_scan(
    db: DB,
    settings: Settings,
    fair_id: Id,
    exhibit_id: Id,
    body: PatrolScanIn,
    caller: Viewer,
) -> PatrolOutcome:
    """A mark scanned at a booth during the fair; a scan that fails flags the exhibit."""
    fair = service.get_fair(db=db, fair_id=fair_id)
    service.ensure_visible(fair=fair, org=caller.org, role=caller.role)
    exhibit = service.get_exhibit(db=db, fair=fair, exhibit_id=exhibit_id)
    by = Reporter(caller.org, caller.role, caller.key_prefix)
    return service.patrol_scan(
        db=db, settings=settings, fair=fair, exhibit=exhibit, scan=body, by=by
    )


@router.get("/{fair_id}/leads")
def leads(
    db: DB, fair_id: Id, caller: Viewer, after: After = None, limit: Limit = 50
) -> Page[ExhibitLead]:
    fair = service.get_fair(db=db, fair_id=fair_id)
    service.ensure_visible(fair=fair, org=caller.org, role=caller.role)
    leads = service.flagged_exhibits(db=db, fair_id=fair.id, after=after, limit=limit)
    return page(ExhibitLead, leads, limit, key=lambda lead: lead.exhibit.id)


@router.get("/{fair_id}/tracking")
def track_online(db: DB, fair_id: Id, caller: Viewer) -> TrackingReport:
    """After the fair: its flagged exhibits found among online listings."""
    fair = service.get_fair(db=db, fair_id=fair_id)
    service.ensure_visible(fair=fair, org=caller.org, role=caller.role)
    return tracking.track_online(db=db, fair=fair, today=service.fair_today())
