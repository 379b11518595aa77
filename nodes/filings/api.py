"""Filings over HTTP: the office's own filings (create, fill, preview, submit,
correct, receipts), the calendar and its reminders, and at the national node the
filings received from the regions and the consolidated report."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from ipfed.nodes.auth.dependencies import Caller, current_caller
from ipfed.nodes.body_limit import max_body
from ipfed.nodes.config import NodeRole
from ipfed.nodes.database.core import get_or_404, page_of, utcnow
from ipfed.nodes.errors import Forbidden
from ipfed.nodes.filings import receiving, report, service
from ipfed.nodes.filings.calendar import FilingKind, Period, china_today, node_calendar
from ipfed.nodes.filings.consolidation import national_report
from ipfed.nodes.filings.document import MAX_FILING_BYTES, SignedFiling, SignedReceipt
from ipfed.nodes.filings.exchange import filing_transport
from ipfed.nodes.filings.models import Filing, FilingReceipt, FilingState
from ipfed.nodes.filings.preview import preview_html
from ipfed.nodes.filings.schemas import (
    FilingIn,
    FilingOut,
    FilingSummary,
    FillIn,
    ObligationOut,
    PeriodText,
    ReceiptOut,
)
from ipfed.nodes.filings.transport import FilingTransport
from ipfed.nodes.http import DB, ULID_PATTERN, After, Cursor, Limit, Settings, page, page_of_whole
from ipfed.nodes.schemas import Page

router = APIRouter(prefix="/filings", tags=["filings"])
FilingId = Annotated[str, Path(pattern=ULID_PATTERN)]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def this_office(caller: Annotated[Caller, Depends(current_caller)], settings: Settings) -> Caller:
    """Only the office that runs this node writes, files and reads its filings."""
    if caller.org != settings.org_name:
        raise Forbidden(f"only {settings.org_name} works on its filings", code="not_this_office")
    return caller


Office = Depends(this_office)


def transport(request: Request, settings: Settings) -> FilingTransport:
    chosen: FilingTransport | None = getattr(request.app.state, "filing_transport", None)
    return chosen or filing_transport(settings)


def receipt_out(row: FilingReceipt) -> ReceiptOut:
    return ReceiptOut(
        filing_id=row.filing_id,
        received_by=row.received_by,
        received_at=row.received_at,
        ledger_position=row.ledger_position,
        receipt=SignedReceipt.from_bytes(row.signed),
    )


def obligation_key(due: ObligationOut) -> str:
    """Calendar order: by due date, then region and kind (``2026-01-31/310000/kind/period``)."""
    return f"{due.due.isoformat()}/{due.region_code}/{due.kind.value}/{due.period}"


@router.get("/calendar", dependencies=[Office])
def calendar(
    db: DB,
    settings: Settings,
    year: Annotated[int | None, Query(ge=2000, le=2999)] = None,
    after: Cursor = None,
    limit: Limit = 100,
) -> Page[ObligationOut]:
    """What is due in ``year`` (default: this year), and where each filing stands."""
    now = utcnow()
    due = service.obligations(
        db=db,
        settings=settings,
        calendar=node_calendar(settings),
        year=year or china_today(now).year,
        now=now,
    )
    return page_of_whole(ObligationOut, due, key=obligation_key, after=after, limit=limit)


@router.get("/reminders", dependencies=[Office])
def reminders(
    db: DB, settings: Settings, after: Cursor = None, limit: Limit = 100
) -> Page[ObligationOut]:
    """Filings overdue or due soon."""
    due = service.reminders(
        db=db, settings=settings, calendar=node_calendar(settings), now=utcnow()
    )
    return page_of_whole(ObligationOut, due, key=obligation_key, after=after, limit=limit)


@router.post("", status_code=201, dependencies=[Office])
def create(db: DB, settings: Settings, body: FilingIn) -> FilingOut:
    filing = service.create_filing(db=db, settings=settings, kind=body.kind, period=body.period)
    return FilingOut.model_validate(filing)


@router.get("", dependencies=[Office])
def list_filings(
    db: DB,
    kind: FilingKind | None = None,
    period: Annotated[PeriodText | None, Query()] = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    state: FilingState | None = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[FilingSummary]:
    query = page_of(Filing, after=after, limit=limit)
    for column, value in (
        (Filing.kind, kind),
        (Filing.period, period),
        (Filing.region_code, region_code),
        (Filing.state, state),
    ):
        if value is not None:
            query = query.where(column == value)
    return page(FilingSummary, db.scalars(query).all(), limit)


@router.get("/receipts", dependencies=[Office])
def receipts(db: DB, after: After = None, limit: Limit = 50) -> Page[ReceiptOut]:
    query = select(FilingReceipt).order_by(FilingReceipt.filing_id).limit(limit)
    if after is not None:
        query = query.where(FilingReceipt.filing_id > after)
    rows = [receipt_out(row) for row in db.scalars(query)]
    return page(ReceiptOut, rows, limit, key=lambda receipt: receipt.filing_id)


@router.get("/report", dependencies=[Office])
def consolidated_report(
    db: DB,
    settings: Settings,
    period: Annotated[PeriodText, Query()],
    kind: FilingKind = FilingKind.MONTHLY_REPORT,
    format: Literal["html", "csv", "xlsx"] = "html",
) -> Response:
    """Every province's filing for the period in one table, with charts (national node)."""
    if settings.role is not NodeRole.NATIONAL:
        raise Forbidden("the national node consolidates filings", code="not_national")
    consolidation = national_report(
        db=db,
        calendar=node_calendar(settings),
        kind=kind,
        period=Period.parse(period),
        now=utcnow(),
    )
    render = {"html": report.to_html, "csv": report.to_csv, "xlsx": report.to_xlsx}[format]
    name = f"filings-{kind}-{period}.{format}"
    return Response(
        render(consolidation),
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.post(
    "/received", dependencies=[Depends(current_caller)], openapi_extra=max_body(MAX_FILING_BYTES)
)
def receive(db: DB, settings: Settings, body: SignedFiling) -> SignedReceipt:
    """A region's signed filing (national node): verified, stored, recorded on the
    ledger; the answer is the national office's signed receipt."""
    return receiving.receive_filing(db=db, settings=settings, filing=body, now=utcnow())


@router.get("/{filing_id}", dependencies=[Office])
def get(db: DB, filing_id: FilingId) -> FilingOut:
    return FilingOut.model_validate(service.get_filing(db=db, filing_id=filing_id))


@router.patch("/{filing_id}", dependencies=[Office], openapi_extra=max_body(MAX_FILING_BYTES))
def fill(db: DB, settings: Settings, filing_id: FilingId, body: FillIn) -> FilingOut:
    filing = service.own_filing(db=db, settings=settings, filing_id=filing_id)
    return FilingOut.model_validate(service.fill_filing(db=db, filing=filing, fill=body))


@router.get("/{filing_id}/preview", dependencies=[Office], response_class=HTMLResponse)
def preview(db: DB, filing_id: FilingId) -> str:
    """The filing as a page: as it would be signed (a draft), or as it was."""
    filing = service.get_filing(db=db, filing_id=filing_id)
    return preview_html(service.preview(filing, filing.signed_at or utcnow()))


@router.post("/{filing_id}/submit", dependencies=[Office])
def submit(
    request: Request,
    settings: Settings,
    filing_id: FilingId,
    sender: Annotated[FilingTransport, Depends(transport)],
    caller: Annotated[Caller, Depends(current_caller)],
) -> FilingOut:
    """Sign a draft and send it to the national office (or send a submitted one again).
    A failed delivery is kept on the filing (``delivery_error``) and retried."""
    filing = service.submit(
        sessions=request.app.state.sessions,
        settings=settings,
        filing_id=filing_id,
        transport=sender,
        now=utcnow(),
        person=caller.person,
    )
    return FilingOut.model_validate(filing)


@router.post("/{filing_id}/correction", status_code=201, dependencies=[Office])
def correct(db: DB, settings: Settings, filing_id: FilingId) -> FilingOut:
    """A new draft version superseding this filing, which stays as it was."""
    filing = service.own_filing(db=db, settings=settings, filing_id=filing_id)
    return FilingOut.model_validate(service.correct_filing(db=db, filing=filing))


@router.get("/{filing_id}/receipt", dependencies=[Office])
def receipt(db: DB, filing_id: FilingId) -> ReceiptOut:
    filing = service.get_filing(db=db, filing_id=filing_id)
    message = f"no receipt for filing {filing_id} yet"
    return receipt_out(get_or_404(db, FilingReceipt, filing.id, message=message))
