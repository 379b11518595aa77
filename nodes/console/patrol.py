"""The inspector's phone page: a fair and a booth picked, a mark's QR code photographed
with the phone's camera, read by the node and checked as any patrol scan is (the
sighting recorded with the inspector's organisation), the verdict at once, and the
exhibit flagged by hand when what is on the stand looks wrong.

Inspectors are people of the organizer, of an office or of enforcement: those who
may send patrol scans through the API."""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ipfed.ledger.identity import Role
from ipfed.nodes.auth.dependencies import Caller
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.console.camera import PHOTO_BODY, frame_answer, read_mark
from ipfed.nodes.console.dependencies import Now, Signed, person_of
from ipfed.nodes.console.templating import render
from ipfed.nodes.database.core import transaction
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.fairs import service
from ipfed.nodes.fairs.models import Exhibitor
from ipfed.nodes.fairs.schemas import PatrolOutcome, PatrolScanIn
from ipfed.nodes.marks.scans import Reporter

router = APIRouter(include_in_schema=False)


@router.get("/console/patrol")
def pick_fair(request: Request, caller: Signed, now: Now) -> Response:
    organizer = caller.org if caller.role is Role.FAIR else None
    today = service.fair_today(now)
    with request.app.state.sessions() as db:
        fairs = service.list_fairs(db=db, organizer=organizer, after=None, limit=200)
    open_now = [fair for fair in fairs if fair.starts_on <= today <= fair.ends_on]
    return render(request, "patrol_fairs.html", {"fairs": open_now})


def _booth_page(
    request: Request,
    caller: Caller,
    fair_id: str,
    booth: str | None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    with request.app.state.sessions() as db:
        fair = service.get_fair(db=db, fair_id=fair_id)
        service.ensure_visible(fair=fair, org=caller.org, role=caller.role)
        exhibitors = list(fair.exhibitors)
        booths = sorted({e.booth for e in exhibitors if e.booth})
        here: list[Exhibitor] = [e for e in exhibitors if booth and e.booth == booth]
        context = {
            "fair": fair,
            "booths": booths,
            "booth": booth,
            "here": here,
            "outcome": None,
            "scanned": None,
            "error": None,
            "done": None,
            **extra,
        }
        return render(request, "patrol.html", context, status_code=status_code)


@router.get("/console/patrol/{fair_id}")
def booth_page(
    request: Request,
    caller: Signed,
    fair_id: str,
    booth: str | None = None,
    done: str | None = None,
) -> Response:
    known = done if done == "flagged" else None
    return _booth_page(request, caller, fair_id, (booth or "")[:50] or None, done=known)


@router.post("/console/patrol/{fair_id}/exhibits/{exhibit_id}/scan", openapi_extra=PHOTO_BODY)
def scan_photo(
    request: Request,
    caller: Signed,
    fair_id: str,
    exhibit_id: str,
    photo: Annotated[UploadFile, File()],
) -> Response:
    """The photo's QR code read and checked at the booth: the verdict on the page."""
    person_of(caller)
    settings: NodeSettings = request.app.state.settings
    booth: str | None = None
    try:
        with transaction(request.app.state.sessions) as db:
            fair = service.get_fair(db=db, fair_id=fair_id)
            service.ensure_visible(fair=fair, org=caller.org, role=caller.role)
            exhibit = service.get_exhibit(db=db, fair=fair, exhibit_id=exhibit_id)
            booth = exhibit.exhibitor.booth
            text = read_mark(photo)
            outcome: PatrolOutcome = service.patrol_scan(
                db=db,
                settings=settings,
                fair=fair,
                exhibit=exhibit,
                scan=PatrolScanIn(token=text),
                by=Reporter(caller.org, caller.role, caller.key_prefix),
            )
    except IpfedError as exc:
        if exc.status_code in (403, 404):
            raise
        return _booth_page(request, caller, fair_id, booth, exc.status_code, error=exc.code)
    return _booth_page(request, caller, fair_id, booth, outcome=outcome, scanned=exhibit_id)


@router.post("/console/patrol/read", openapi_extra=PHOTO_BODY)
def read_frame(caller: Signed, photo: Annotated[UploadFile, File()]) -> JSONResponse:
    """Whether a frame of the live camera holds a QR code: the page's script sends
    frames here until one does, then sends that frame as the scan. Nothing is recorded."""
    person_of(caller)
    return frame_answer(photo)


@router.post("/console/patrol/{fair_id}/exhibits/{exhibit_id}/flag")
def flag_exhibit(
    request: Request,
    caller: Signed,
    fair_id: str,
    exhibit_id: str,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    person = person_of(caller)
    booth: str | None = None
    try:
        with transaction(request.app.state.sessions) as db:
            fair = service.get_fair(db=db, fair_id=fair_id)
            service.ensure_visible(fair=fair, org=caller.org, role=caller.role)
            exhibit = service.get_exhibit(db=db, fair=fair, exhibit_id=exhibit_id)
            booth = exhibit.exhibitor.booth
            service.flag_by_hand(exhibit=exhibit, reason=reason, org=caller.org, person=person)
    except IpfedError as exc:
        if exc.status_code in (403, 404):
            raise
        return _booth_page(request, caller, fair_id, booth, exc.status_code, error=exc.code)
    target = f"/console/patrol/{fair_id}?booth={quote(booth or '')}&done=flagged#{exhibit_id}"
    return RedirectResponse(target, status_code=303)
