"""Marks over HTTP: issuing and changing them (the issuing office only), unit codes
(holders and licensees), QR images, EPCIS exports, scans, and the public status
endpoints (the verification page is in page.py), and suspected fakes reported."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from ipfed.nodes.auth.dependencies import Caller, current_caller
from ipfed.nodes.auth.policy import sees_scan_places
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import get_or_404, utcnow
from ipfed.nodes.errors import Forbidden, InvalidInput, NotFound
from ipfed.nodes.http import DB, ULID_PATTERN, After, Limit, Settings, page
from ipfed.nodes.marks import events, issuing, lookup, reports, scans
from ipfed.nodes.marks import status as statuses
from ipfed.nodes.marks.models import CloneAlert, Mark, SuspectReport
from ipfed.nodes.marks.schemas import (
    MAX_UNITS_PER_REQUEST,
    CloneAlertOut,
    MarkIn,
    MarkOut,
    MarkStatusOut,
    ScanIn,
    ScanResult,
    StatusChange,
    SuspectReportOut,
    UnitBatchOut,
    UnitOut,
    UnitsIn,
)
from ipfed.nodes.schemas import Page
from ipfed.registry.epcis import LifecycleEvent, epcis_document
from ipfed.registry.lifecycle import MarkStatus
from ipfed.registry.qr import qr_png, qr_svg
from ipfed.registry.status_list import StatusListDocument, StatusPurpose

router = APIRouter(prefix="/marks", tags=["marks"])
public = APIRouter(tags=["marks: public"])
MarkId = Annotated[str, Path(pattern=ULID_PATTERN)]


def issuing_office(
    caller: Annotated[Caller, Depends(current_caller)], settings: Settings
) -> Caller:
    """Only this node's own office issues and changes its marks."""
    if caller.org != settings.org_name:
        raise Forbidden(f"only {settings.org_name} issues and changes its marks", code="not_issuer")
    return caller


def located(event: LifecycleEvent) -> bool:
    return any(
        value is not None
        for value in (event.place, event.region_code, event.latitude, event.longitude)
    )


def _out(settings: NodeSettings, mark: Mark) -> MarkOut:
    out = MarkOut.model_validate(mark)
    return out.model_copy(update={"url": lookup.mark_url(settings=settings, token=mark.token)})


@router.post("", status_code=201)
def issue_mark(
    db: DB, settings: Settings, body: MarkIn, caller: Annotated[Caller, Depends(issuing_office)]
) -> MarkOut:
    mark = issuing.issue_mark(
        db=db, settings=settings, request=body, today=utcnow().date(), person=caller.person
    )
    return _out(settings, mark)


@router.get("", dependencies=[Depends(current_caller)])
def list_marks(
    db: DB,
    settings: Settings,
    status: MarkStatus | None = None,
    right_id: Annotated[str | None, Query(pattern=ULID_PATTERN)] = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[MarkOut]:
    query = select(Mark).order_by(Mark.id).limit(limit)
    if status is not None:
        query = query.where(Mark.status == status)
    if right_id is not None:
        query = query.where(Mark.right_id == right_id)
    if after is not None:
        query = query.where(Mark.id > after)
    rows = db.scalars(query).all()
    result = page(MarkOut, rows, limit)
    result.items = [_out(settings, mark) for mark in rows]
    return result


@router.get("/alerts", dependencies=[Depends(current_caller)])
def list_clone_alerts(db: DB, after: After = None, limit: Limit = 50) -> Page[CloneAlertOut]:
    query = select(CloneAlert).order_by(CloneAlert.id).limit(limit)
    if after is not None:
        query = query.where(CloneAlert.id > after)
    return page(CloneAlertOut, db.scalars(query).all(), limit)


@router.get("/suspect-reports", dependencies=[Depends(current_caller)])
def list_suspect_reports(db: DB, after: After = None, limit: Limit = 50) -> Page[SuspectReportOut]:
    """Suspected fakes the public reported from the verification page, oldest first."""
    return page(SuspectReportOut, reports.list_reports(db=db, after=after, limit=limit), limit)


@router.get("/suspect-reports/{report_id}/photo", dependencies=[Depends(current_caller)])
def suspect_report_photo(db: DB, report_id: Annotated[str, Path(pattern=ULID_PATTERN)]) -> Response:
    report = get_or_404(db, SuspectReport, report_id, message=f"no report {report_id}")
    if report.photo is None or report.photo_type is None:
        raise NotFound(f"report {report_id} has no photo")
    return Response(report.photo, media_type=report.photo_type)


@router.get("/{mark_id}", dependencies=[Depends(current_caller)])
def get_mark(db: DB, settings: Settings, mark_id: MarkId) -> MarkOut:
    return _out(settings, lookup.get_mark(db=db, mark_id=mark_id))


@router.post("/{mark_id}/status")
def change_status(
    db: DB,
    settings: Settings,
    mark_id: MarkId,
    body: StatusChange,
    caller: Annotated[Caller, Depends(issuing_office)],
) -> MarkOut:
    mark = statuses.change_status(
        db=db,
        settings=settings,
        mark=lookup.get_mark(db=db, mark_id=mark_id),
        status=body.status,
        reason=body.reason,
        by=caller.org,
        person=caller.person,
    )
    return _out(settings, mark)


@router.post("/{mark_id}/units", status_code=201)
def issue_units(
    db: DB,
    settings: Settings,
    mark_id: MarkId,
    body: UnitsIn,
    caller: Annotated[Caller, Depends(current_caller)],
) -> UnitBatchOut:
    """Unit codes for a production batch, asked by the mark's holder or licensee: at most
    1,000 per request; a larger batch is asked for in several requests with the same
    batch number, each answering its own codes."""
    if body.quantity > MAX_UNITS_PER_REQUEST:
        raise InvalidInput(
            f"at most {MAX_UNITS_PER_REQUEST:,} unit codes per request: ask for the rest in "
            "further requests with the same batch number",
            code="too_many_units",
        )
    mark = lookup.get_mark(db=db, mark_id=mark_id)
    allowed = {settings.org_name, mark.licensee or mark.holder}
    if caller.org not in allowed:
        raise Forbidden(f"{caller.org} is not who mark {mark_id} is issued to", code="not_holder")
    batch, units = issuing.issue_units(
        db=db,
        settings=settings,
        mark=mark,
        batch_number=body.batch_number,
        quantity=body.quantity,
        by=caller.org,
    )
    return UnitBatchOut(
        id=batch.id,
        mark_id=mark.id,
        batch_number=batch.batch_number,
        quantity=batch.quantity,
        units=[
            UnitOut(serial=u.serial, url=lookup.mark_url(settings=settings, token=u.token))
            for u in units
        ],
    )


QR_IMAGES: dict[str, dict[str, object]] = {"image/png": {}, "image/svg+xml": {}}


@router.get(
    "/{mark_id}/qr.{fmt}",
    dependencies=[Depends(current_caller)],
    response_class=Response,
    responses={200: {"description": "the mark's QR code", "content": QR_IMAGES}},
)
def mark_qr(
    db: DB, settings: Settings, mark_id: MarkId, fmt: Annotated[str, Path(pattern="^(png|svg)$")]
) -> Response:
    mark = lookup.get_mark(db=db, mark_id=mark_id)
    url = lookup.mark_url(settings=settings, token=mark.token)
    if fmt == "png":
        return Response(qr_png(url), media_type="image/png")
    return Response(qr_svg(url), media_type="image/svg+xml")


@router.get("/{mark_id}/events")
def mark_events(
    db: DB, settings: Settings, mark_id: MarkId, caller: Annotated[Caller, Depends(current_caller)]
) -> dict[str, Any]:
    """The mark's lifecycle as an EPCIS 2.0 document. Who scanned it where is shown to
    the office and the mark's holder (or licensee); others see the office's own events
    and their own scans."""
    mark = lookup.get_mark(db=db, mark_id=mark_id)
    stored = events.mark_events(db=db, mark_id=mark_id)
    lifecycle = [events.lifecycle_event(settings=settings, event=e) for e in stored]
    holders = {mark.holder, mark.licensee or mark.holder}
    node_org = settings.org_name
    if not sees_scan_places(org=caller.org, role=caller.role, node_org=node_org, holders=holders):
        lifecycle = [
            e for e in lifecycle if e.org == caller.org or (e.org == node_org and not located(e))
        ]
    return epcis_document(lifecycle, utcnow())


@router.post("/scans")
def record_scan(
    db: DB,
    settings: Settings,
    body: ScanIn,
    caller: Annotated[Caller, Depends(current_caller)],
) -> ScanResult:
    """A mark scanned on a listing, in a patrol or at a fair: verified, recorded,
    checked for clones. A scan that fails verification answers 200 with the reason."""
    by = scans.Reporter(caller.org, caller.role, caller.key_prefix)
    return scans.record_scan(db=db, settings=settings, scan=body, by=by)


# --- public: no API key ----------------------------------------------------


@public.get("/status-lists/{purpose}", response_model_by_alias=True)
def get_status_list(db: DB, settings: Settings, purpose: StatusPurpose) -> StatusListDocument:
    return statuses.status_list(db=db, settings=settings, purpose=purpose, now=utcnow())


@public.get("/marks/{mark_id}/status", response_model=MarkStatusOut)
def get_mark_status(request: Request, mark_id: MarkId) -> Response:
    """A mark's status now (at most a second old). Known marks are answered before
    routing by :class:`~ipfed.nodes.marks.online_status.StatusFastPath`; this route
    documents it and answers the rest."""
    state = request.app.state
    answer = state.mark_statuses.answer(state.sessions, mark_id)
    if answer is None:
        raise NotFound(f"no mark {mark_id}")
    return Response(answer, media_type="application/json")
