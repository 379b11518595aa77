from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ipfed.detection.reasons import sentences
from ipfed.detection.register import ScreenedListing
from ipfed.exchange.messages import LeadKind
from ipfed.nodes.auth.dependencies import Caller, current_caller
from ipfed.nodes.auth.policy import is_own_office
from ipfed.nodes.database.core import page_of, transaction
from ipfed.nodes.detection import service, tasks
from ipfed.nodes.detection.evidence import EvidenceBundle, export_bundle
from ipfed.nodes.detection.models import Decision, Lead, LeadStatus
from ipfed.nodes.detection.schemas import (
    ConfirmedLead,
    FindingOut,
    LeadOut,
    MonitoringOut,
    Precision,
    ReviewIn,
    ReviewOut,
    ScreenIn,
    TaskOut,
    TaskScope,
    TraceOut,
)
from ipfed.nodes.detection.tracing import trace
from ipfed.nodes.http import DB, After, Cursor, Limit, Settings, WriterDB, page, page_of_whole
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.schemas import Page

router = APIRouter(prefix="/detection", tags=["detection"])
Offices = Annotated[Caller, Depends(current_caller)]
Reviewers = Annotated[Caller, Depends(current_caller)]


@router.post("/tasks", status_code=202)
def launch_task(
    request: Request,
    scope: TaskScope,
    caller: Annotated[Caller, Depends(current_caller)],
) -> TaskOut:
    """Launch a detection task; the node's job runner runs it (poll GET /detection/tasks/{id})."""
    node_identity(request.app.state.settings)  # refuse now if leads could not be anchored
    with transaction(request.app.state.sessions) as db:  # stored with its job, or not at all
        task = tasks.create_task(db=db, org=caller.org, role=caller.role, scope=scope)
        tasks.enqueue_task(db=db, task=task)
    return TaskOut.model_validate(task)


@router.get("/tasks/{task_id}")
def get_task(
    db: DB, settings: Settings, task_id: str, caller: Annotated[Caller, Depends(current_caller)]
) -> TaskOut:
    office = is_own_office(org=caller.org, role=caller.role, node_org=settings.org_name)
    task = tasks.task_of(db=db, task_id=task_id, requested_by=None if office else caller.org)
    return TaskOut.model_validate(task)


@router.get("/leads")
def list_leads(
    db: DB,
    _: Reviewers,
    status: LeadStatus | None = None,
    kind: LeadKind | None = None,
    task_id: Annotated[str | None, Query(max_length=26)] = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[LeadOut]:
    query = page_of(Lead, after=after, limit=limit)
    if status:
        query = query.where(Lead.status == status)
    if kind:
        query = query.where(Lead.kind == kind)
    if task_id:
        query = query.where(Lead.task_id == task_id)
    return page(LeadOut, db.scalars(query).all(), limit)


@router.get("/queue")
def review_queue(db: DB, _: Reviewers, after: After = None, limit: Limit = 50) -> Page[LeadOut]:
    """Leads waiting for review, highest priority first."""
    return page(LeadOut, service.review_queue(db=db, after=after, limit=limit), limit)


@router.get("/leads/{lead_id}")
def get_lead(db: DB, _: Reviewers, lead_id: str) -> LeadOut:
    return LeadOut.model_validate(service.get_lead(db=db, lead_id=lead_id))


@router.post("/leads/{lead_id}/review")
def review_lead(request: Request, db: DB, caller: Offices, lead_id: str, body: ReviewIn) -> LeadOut:
    """Confirm, reject or ask for more information, with a reason."""
    settings = request.app.state.settings
    lead = service.review_lead(
        db=db,
        lead_id=lead_id,
        reviewer=caller.org,
        decision=Decision(body.decision),
        reason=body.reason,
        ledger=node_ledger(db=db, settings=settings),
        person=caller.person,
    )
    return LeadOut.model_validate(lead)


@router.get("/leads/{lead_id}/reviews")
def lead_reviews(
    db: DB,
    settings: Settings,
    caller: Reviewers,
    lead_id: str,
    after: After = None,
    limit: Limit = 50,
) -> Page[ReviewOut]:
    service.get_lead(db=db, lead_id=lead_id)
    reviews = service.reviews_of(db=db, lead_id=lead_id, after=after, limit=limit)
    shown = page(ReviewOut, reviews, limit)
    # The name of the person who decided is the office's: other callers see the decision.
    if not is_own_office(org=caller.org, role=caller.role, node_org=settings.org_name):
        shown.items = [review.model_copy(update={"person": None}) for review in shown.items]
    return shown


@router.get("/leads/{lead_id}/evidence")
def lead_evidence(request: Request, db: WriterDB, _: Reviewers, lead_id: str) -> EvidenceBundle:
    """The evidence bundle: verify it offline with `ipfed evidence verify`."""
    settings = request.app.state.settings
    lead = service.get_lead(db=db, lead_id=lead_id)
    return export_bundle(ledger=node_ledger(db=db, settings=settings), evidence=lead.evidence)


@router.get("/leads/{lead_id}/trace")
def lead_trace(db: DB, _: Reviewers, lead_id: str) -> TraceOut:
    """The participant behind the seller, its places, and the jurisdiction."""
    return TraceOut.model_validate(
        trace(db=db, listing=service.get_lead(db=db, lead_id=lead_id).listing)
    )


@router.get("/leads/{lead_id}/push")
def lead_push(db: DB, _: Offices, lead_id: str) -> ConfirmedLead:
    """What this node pushes for a confirmed lead (409 while it is not confirmed)."""
    return service.confirmed_lead(db=db, lead_id=lead_id)


@router.get("/confirmed")
def confirmed(db: DB, _: Offices, after: After = None, limit: Limit = 100) -> Page[ConfirmedLead]:
    leads = service.confirmed_leads(db=db, after=after, limit=limit)
    return page(ConfirmedLead, leads, limit, key=lambda lead: lead.lead_id)


@router.get("/precision")
def precision(db: DB, _: Reviewers, after: Cursor = None, limit: Limit = 50) -> Page[Precision]:
    """Per detector, the share of reviewed leads that reviewers confirmed."""
    figures = service.precision(db=db)
    return page_of_whole(Precision, figures, key=lambda f: f.kind.value, after=after, limit=limit)


@router.post("/screen")
def screen(db: DB, _: Offices, body: ScreenIn) -> list[FindingOut]:
    """Screen one listing on the spot against the node's rights; nothing is stored."""
    from ipfed.nodes.detection.current import current_screener

    screener = current_screener(db=db)
    listing = ScreenedListing("", body.title, body.seller, body.nice_class, body.description)
    return [
        FindingOut(kind=f.kind, right_id=f.right_id, score=f.score, reasons=sentences(f.reasons))
        for f in screener.screen(listing)
    ]


@router.get("/monitoring")
def monitoring_directories(
    db: DB,
    _: Reviewers,
    directory: Annotated[str | None, Query(max_length=50)] = None,
    after: Cursor = None,
    limit: Limit = 100,
) -> Page[MonitoringOut]:
    """Each directory's subjects, by directory and subject (``directory/subject`` cursors)."""
    entries = [e for e in service.monitoring_entries(db=db) if directory in (None, e.directory)]
    return page_of_whole(
        MonitoringOut, entries, key=lambda e: f"{e.directory}/{e.subject}", after=after, limit=limit
    )


@router.post("/monitoring")
def refresh_monitoring(db: DB, _: Offices) -> dict[str, int]:
    """Recompute the directories from adjudications and confirmed leads."""
    from ipfed.nodes.detection import monitoring  # pandas, loaded when first needed

    return monitoring.refresh(db=db)
