"""The pages of an organisation that acts on leads (an enforcement authority, a rights
holder, an assistance or protection centre, an overseas centre): the leads routed to
it, newest first; one lead as it was received, with its evidence; and the outcome it
reports, sent back through the exchange as the API's feedback route sends it."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.exchange.envelope import Envelope
from ipfed.exchange.errors import Refused
from ipfed.exchange.messages import LeadOutcome
from ipfed.ledger.errors import CodedError
from ipfed.nodes.auth.dependencies import Caller
from ipfed.nodes.auth.policy import ACTING, inbox_of
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.console.dependencies import Now, Signed
from ipfed.nodes.console.leads import evidence_state
from ipfed.nodes.console.queue import region_words
from ipfed.nodes.console.templating import render
from ipfed.nodes.database.core import transaction
from ipfed.nodes.detection.models import Lead
from ipfed.nodes.exchange import views
from ipfed.nodes.exchange.api import running
from ipfed.nodes.exchange.schemas import FeedbackIn
from ipfed.nodes.http import ULID_PATTERN
from ipfed.nodes.identity import node_identity
from ipfed.nodes.rights.models import Right
from ipfed.nodes.schemas import BIGINT_MAX

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
LeadId = Annotated[str, Path(pattern=ULID_PATTERN)]


def _organisation(caller: Caller, settings: NodeSettings) -> str | None:
    return inbox_of(org=caller.org, role=caller.role, node_org=settings.org_name)


def record_state(envelope: Envelope, settings: NodeSettings, now: datetime) -> str:
    """Whether the finder's ledger record of the lead and its evidence is proven, as
    anyone checks the envelope with the trust bundle: a code."""
    try:
        envelope.verify(node_identity(settings).bundle, now)
    except Refused:
        return "record_refused"
    return "record_proven" if envelope.receipt is not None else "record_not_proven"


@router.get("/console/received")
def received_page(
    request: Request,
    caller: Signed,
    before: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
) -> Response:
    settings: NodeSettings = request.app.state.settings
    with transaction(request.app.state.sessions) as db:
        leads, following = views.routed_leads(
            db=db,
            organisation=_organisation(caller, settings),
            handled_by=caller.org,
            before=before,
            limit=PAGE_SIZE,
        )
        context = {"leads": leads, "following": following, "region": region_words}
        return render(request, "received.html", context)


def _local(db: Session, lead_id: str, evidence_sha256: str) -> Lead | None:
    """The lead itself, when this node found it: its listing and evidence are here."""
    lead = db.get(Lead, lead_id)
    return lead if lead is not None and lead.evidence.sha256 == evidence_sha256 else None


def _lead_page(
    request: Request,
    caller: Caller,
    now: datetime,
    lead_id: str,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    settings: NodeSettings = request.app.state.settings
    # A writer: proving local evidence may sign and store the log's new checkpoint.
    with transaction(request.app.state.sessions) as db:
        routed = views.routed_lead(
            db=db,
            organisation=_organisation(caller, settings),
            handled_by=caller.org,
            lead_id=lead_id,
        )
        found = routed.lead
        local = _local(db, lead_id, found.evidence_sha256)
        context = {
            "routed": routed,
            "found": found,
            "right": db.scalars(select(Right).where(Right.number == found.right_id)).first(),
            "record_state": record_state(routed.envelope, settings, now),
            "listing": local.listing if local else None,
            "evidence": local.evidence if local else None,
            "evidence_state": (
                evidence_state(db=db, settings=settings, evidence=local.evidence) if local else None
            ),
            "outcomes": list(LeadOutcome),
            "may_report": routed.answerable
            and ACTING.admits(org=caller.org, role=caller.role, node_org=settings.org_name),
            "region": region_words,
            "error": None,
            "done": False,
        } | extra
        return render(request, "received_lead.html", context, status_code=status_code)


@router.get("/console/received/{lead_id}")
def received_lead_page(
    request: Request, caller: Signed, now: Now, lead_id: LeadId, done: bool = False
) -> Response:
    return _lead_page(request, caller, now, lead_id, done=done)


@router.post("/console/received/{lead_id}/outcome")
def report_outcome(
    request: Request,
    caller: Signed,
    now: Now,
    lead_id: LeadId,
    outcome: Annotated[LeadOutcome, Form()],
    detail: Annotated[str, Form(max_length=4000)] = "",
    case_number: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    settings: NodeSettings = request.app.state.settings
    feedback = FeedbackIn(outcome=outcome, detail=detail, case_number=case_number or None)
    try:
        with transaction(request.app.state.sessions) as db:
            views.report_feedback(
                db=db,
                network=running(request).network,
                lead_id=lead_id,
                handled_by=caller.org,
                organisation=_organisation(caller, settings),
                feedback=feedback,
                now=now,
            )
    except CodedError as exc:  # the exchange's or the node's: shown on the lead's page
        return _lead_page(request, caller, now, lead_id, exc.status_code, error=exc)
    return RedirectResponse(f"/console/received/{lead_id}?done=true", status_code=303)
