"""The lead page: what a reviewer needs to decide on one detector's lead (the listing
as captured, its evidence and whether it verifies, the trace to a jurisdiction, the
detector's reasons, the registered right beside the listing with the look-alike
characters marked), and the decision, taken by the detection service."""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ipfed.detection.lookalikes import Stretch, highlight
from ipfed.ledger.errors import CodedError
from ipfed.ledger.protocol import Pending
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.console.dependencies import Signed
from ipfed.nodes.console.i18n import reason_words
from ipfed.nodes.console.nice import nice_class_words
from ipfed.nodes.console.queue import decide, region_words
from ipfed.nodes.console.templating import render
from ipfed.nodes.database.core import transaction
from ipfed.nodes.detection import service as detection
from ipfed.nodes.detection.evidence import export_bundle
from ipfed.nodes.detection.models import Decision, Evidence, Lead
from ipfed.nodes.detection.tracing import trace
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.queue import service as queue
from ipfed.nodes.queue.service import ItemKind
from ipfed.nodes.rights.models import Patent, Right, Trademark

router = APIRouter(include_in_schema=False)

Reason = Annotated[str, Form(max_length=2000)]


@dataclass(frozen=True)
class Side:
    """One side of the comparison: a name, and its characters marked."""

    label: str
    stretches: list[Stretch]


def evidence_state(*, db: Session, settings: NodeSettings, evidence: Evidence) -> str:
    """Whether the evidence verifies as anyone would check its bundle offline: a code."""
    if evidence.ledger_position is None:
        return "evidence_not_anchored"
    try:
        bundle = export_bundle(ledger=node_ledger(db=db, settings=settings), evidence=evidence)
        bundle.verify(node_identity(settings).bundle)
    except CodedError as exc:  # the ledger's, or the bundle's own
        return "evidence_pending" if exc.code == Pending.code else "evidence_failed"
    return "evidence_verified"


def lead_context(*, db: Session, settings: NodeSettings, lead: Lead) -> dict[str, Any]:
    right = db.get(Right, lead.right_id) if lead.right_id else None
    registered = right.name if right else lead.right_ref
    return {
        "lead": lead,
        "listing": lead.listing,
        "evidence": lead.evidence,
        "evidence_state": evidence_state(db=db, settings=settings, evidence=lead.evidence),
        "trace": trace(db=db, listing=lead.listing),
        "right": right,
        "registered": highlight(registered, registered),
        "shown": highlight(lead.listing.title, registered),
        "reviews": detection.reviews_of(db=db, lead_id=lead.id),
        "claim": queue.claim_of(db=db, key=f"{ItemKind.DETECTOR_LEAD.value}:{lead.id}"),
        "decisions": list(Decision),
        "open": lead.status in detection.OPEN,
        "error": None,
        "done": None,
        "region": region_words,
        "nice": nice_class_words,
        "reason_words": reason_words,
        "classes": right.nice_classes if isinstance(right, Trademark) else [],
        "claim_text": right.independent_claim if isinstance(right, Patent) else None,
    }


def _lead_page(request: Request, lead_id: str, status_code: int = 200, **extra: Any) -> Response:
    settings: NodeSettings = request.app.state.settings
    # A writer: proving the evidence may sign and store the log's new checkpoint, and on
    # SQLite a read transaction that turns into a write fails at once beside another writer.
    with transaction(request.app.state.sessions) as db:
        lead = detection.get_lead(db=db, lead_id=lead_id)
        context = lead_context(db=db, settings=settings, lead=lead) | extra
        return render(request, "lead.html", context, status_code=status_code)


@router.get("/console/leads/{lead_id}")
def lead_page(request: Request, _: Signed, lead_id: str, done: Decision | None = None) -> Response:
    return _lead_page(request, lead_id, done=done)


@router.post("/console/leads/{lead_id}/review")
def lead_review(
    request: Request,
    caller: Signed,
    lead_id: str,
    decision: Annotated[Decision, Form()],
    reason: Reason = "",
) -> Response:
    key = f"{ItemKind.DETECTOR_LEAD.value}:{lead_id}"
    try:
        decide(request, caller, decision=decision, reason=reason, keys=[key])
    except IpfedError as exc:
        return _lead_page(request, lead_id, status_code=exc.status_code, error=exc)
    return RedirectResponse(f"/console/leads/{lead_id}?done={decision.value}", status_code=303)
