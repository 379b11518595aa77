"""Marks over HTTP: issuing and changing them (the issuing office only), unit codes
(holders and licensees), QR images, EPCIS exports, scans, and the public status
endpoints and verification page."""

import html
import re
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from ipfed.nodes.auth.dependencies import EVERYONE, OFFICES, OFFICES_AND_ENFORCEMENT, Caller, allow
from ipfed.nodes.auth.models import Role
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.errors import Forbidden, InvalidInput, NotFound
from ipfed.nodes.http import DB, ULID_PATTERN, After, Limit, Settings, page
from ipfed.nodes.identity import node_identity
from ipfed.nodes.marks import service
from ipfed.nodes.marks.models import CloneAlert, Mark, MarkStatus
from ipfed.nodes.marks.schemas import (
    MAX_UNITS_PER_REQUEST,
    CloneAlertOut,
    MarkIn,
    MarkOut,
    MarkStatusOut,
    ScanIn,
    ScanResult,
    StatusChange,
    UnitBatchOut,
    UnitOut,
    UnitsIn,
)
from ipfed.nodes.schemas import Page
from ipfed.registry.epcis import epcis_document
from ipfed.registry.errors import VerificationError
from ipfed.registry.qr import qr_png, qr_svg
from ipfed.registry.status_list import StatusListDocument, StatusPurpose
from ipfed.sdk.verify import Verifier

router = APIRouter(prefix="/marks", tags=["marks"])
public = APIRouter(tags=["marks: public"])
MarkId = Annotated[str, Path(pattern=ULID_PATTERN)]
ULID = re.compile(ULID_PATTERN)
SCANNERS = OFFICES_AND_ENFORCEMENT | {Role.PLATFORM, Role.FAIR, Role.RIGHTS_HOLDER}


def issuing_office(
    caller: Annotated[Caller, Depends(allow(OFFICES))], settings: Settings
) -> Caller:
    """Only this node's own office issues and changes its marks."""
    if caller.org != settings.org_name:
        raise Forbidden(f"only {settings.org_name} issues and changes its marks", code="not_issuer")
    return caller


def _out(settings: NodeSettings, mark: Mark) -> MarkOut:
    out = MarkOut.model_validate(mark)
    return out.model_copy(update={"url": service.mark_url(settings, mark.token)})


@router.post("", status_code=201)
def issue_mark(
    db: DB, settings: Settings, body: MarkIn, _: Annotated[Caller, Depends(issuing_office)]
) -> MarkOut:
    return _out(settings, service.issue_mark(db, settings, body, utcnow().date()))


@router.get("", dependencies=[Depends(allow(OFFICES))])
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


@router.get("/alerts", dependencies=[Depends(allow(OFFICES_AND_ENFORCEMENT))])
def list_clone_alerts(db: DB, after: After = None, limit: Limit = 50) -> Page[CloneAlertOut]:
    query = select(CloneAlert).order_by(CloneAlert.id).limit(limit)
    if after is not None:
        query = query.where(CloneAlert.id > after)
    return page(CloneAlertOut, db.scalars(query).all(), limit)


@router.get("/{mark_id}", dependencies=[Depends(allow(EVERYONE))])
def get_mark(db: DB, settings: Settings, mark_id: MarkId) -> MarkOut:
    return _out(settings, service.get_mark(db, mark_id))


@router.post("/{mark_id}/status")
def change_status(
    db: DB,
    settings: Settings,
    mark_id: MarkId,
    body: StatusChange,
    caller: Annotated[Caller, Depends(issuing_office)],
) -> MarkOut:
    mark = service.get_mark(db, mark_id)
    return _out(
        settings, service.change_status(db, settings, mark, body.status, body.reason, caller.org)
    )


@router.post("/{mark_id}/units", status_code=201)
def issue_units(
    db: DB,
    settings: Settings,
    mark_id: MarkId,
    body: UnitsIn,
    caller: Annotated[Caller, Depends(allow(OFFICES | {Role.RIGHTS_HOLDER}))],
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
    mark = service.get_mark(db, mark_id)
    allowed = {settings.org_name, mark.licensee or mark.holder}
    if caller.org not in allowed:
        raise Forbidden(f"{caller.org} is not who mark {mark_id} is issued to", code="not_holder")
    batch, units = service.issue_units(
        db, settings, mark, body.batch_number, body.quantity, caller.org
    )
    return UnitBatchOut(
        id=batch.id,
        mark_id=mark.id,
        batch_number=batch.batch_number,
        quantity=batch.quantity,
        units=[UnitOut(serial=u.serial, url=service.mark_url(settings, u.token)) for u in units],
    )


@router.get("/{mark_id}/qr.{fmt}", dependencies=[Depends(allow(EVERYONE))])
def mark_qr(
    db: DB, settings: Settings, mark_id: MarkId, fmt: Annotated[str, Path(pattern="^(png|svg)$")]
) -> Response:
    url = service.mark_url(settings, service.get_mark(db, mark_id).token)
    if fmt == "png":
        return Response(qr_png(url), media_type="image/png")
    return Response(qr_svg(url), media_type="image/svg+xml")


@router.get("/{mark_id}/events", dependencies=[Depends(allow(EVERYONE))])
def mark_events(db: DB, settings: Settings, mark_id: MarkId) -> dict[str, Any]:
    """The mark's lifecycle as an EPCIS 2.0 document."""
    events = [service.lifecycle_event(settings, e) for e in service.mark_events(db, mark_id)]
    return epcis_document(events, utcnow())


@router.post("/scans")
def record_scan(
    db: DB,
    settings: Settings,
    body: ScanIn,
    caller: Annotated[Caller, Depends(allow(SCANNERS))],
) -> ScanResult:
    """A mark scanned on a listing, in a patrol or at a fair: verified, recorded,
    checked for clones. A scan that fails verification answers 200 with the reason."""
    return service.record_scan(db, settings, body, caller.org)


# --- public: no API key ----------------------------------------------------


@public.get("/status-lists/{purpose}", response_model_by_alias=True)
def get_status_list(db: DB, settings: Settings, purpose: StatusPurpose) -> StatusListDocument:
    return service.status_list(db, settings, purpose, utcnow())


STATUS_QUERY = select(
    Mark.id, Mark.status, Mark.status_reason, Mark.status_changed_at, Mark.valid_until
).where(Mark.id == bindparam("mark_id"))


STATUS_FRESH_SECONDS = 1.0  # an answer may be this old: platforms poll hot marks hard
_answers: dict[str, tuple[float, bytes]] = {}


def status_answer(sessions: sessionmaker[Session], mark_id: str) -> bytes | None:
    """The JSON of a mark's status (at most a second old), or None for no such mark."""
    now = time.monotonic()
    cached = _answers.get(mark_id)
    if cached is None or cached[0] < now:
        with sessions() as db:
            row = db.execute(STATUS_QUERY, {"mark_id": mark_id}).first()
        if row is None:
            return None
        answer = MarkStatusOut(
            mark_id=row.id,
            status=row.status,
            reason=row.status_reason,
            changed_at=row.status_changed_at,
            valid_until=row.valid_until,
        )
        if len(_answers) > 100_000:
            _answers.clear()
        cached = _answers[mark_id] = (now + STATUS_FRESH_SECONDS, answer.model_dump_json().encode())
    return cached[1]


@public.get("/marks/{mark_id}/status", response_model=MarkStatusOut)
def get_mark_status(request: Request, mark_id: MarkId) -> Response:
    """A mark's status now (at most a second old). Known marks are answered before
    routing by :class:`StatusFastPath`; this route documents it and answers the rest."""
    answer = status_answer(request.app.state.sessions, mark_id)
    if answer is None:
        raise NotFound(f"no mark {mark_id}")
    return Response(answer, media_type="application/json")


class StatusFastPath:
    """ASGI middleware answering ``GET /marks/{id}/status`` for known marks without the
    framework's routing and dependencies, which cost more than the answer itself: the
    one route platforms call at volume. Anything else goes on to the app.

    (It blocks the event loop for the tens of microseconds of an indexed read.)
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope.get("method") == "GET" and path.startswith("/marks/") and path.endswith("/status"):
            mark_id = path[len("/marks/") : -len("/status")]
            if ULID.fullmatch(mark_id):
                answer = status_answer(scope["app"].state.sessions, mark_id)
                if answer is not None:
                    headers = [(b"content-type", b"application/json")]
                    await send({"type": "http.response.start", "status": 200, "headers": headers})
                    await send({"type": "http.response.body", "body": answer})
                    return
        await self.app(scope, receive, send)


PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>电子知识产权标识核验 / IP mark check</title>
<body style="font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em">
<h1 style="color:{colour}">{verdict_zh}</h1><p>{verdict_en}</p>
<table>{rows}</table>
<p style="color:#666">{office} · {node}</p></body></html>"""


@public.get("/v/{token}", response_class=HTMLResponse)
def verification_page(db: DB, settings: Settings, token: str) -> HTMLResponse:
    """What a phone opens when it scans a mark's QR code."""
    rows: list[tuple[str, str]] = []
    try:
        verified = Verifier(node_identity(settings).bundle).authenticate(token)
        claims = verified.claims
        mark = db.get(Mark, claims.mark_id)
        if mark is None:
            raise NotFound("this office holds no such mark")
        rows = [
            ("权利 Right", f"{mark.right.kind.value} {claims.right_number} {mark.right.name}"),
            ("权利人 Holder", mark.holder),
            ("被许可人 Licensee", mark.licensee or "—"),
            ("有效期 Valid", f"{claims.valid_from} – {claims.valid_until}"),
            ("签发 Issued by", verified.issuer.name),
        ]
        if claims.unit_serial:
            rows.append(("单件码 Unit", f"{claims.unit_serial} ({claims.batch})"))
        good = mark.status is MarkStatus.ACTIVE
        verdict_zh = "标识有效" if good else f"标识无效：{mark.status.value}"
        verdict_en = "Genuine and in force." if good else f"Not in force: {mark.status_reason}"
    except (VerificationError, NotFound) as exc:
        good, verdict_zh, verdict_en = False, "标识无法核验", exc.message
    return HTMLResponse(
        PAGE.format(
            colour="#1a7f37" if good else "#cf222e",
            verdict_zh=verdict_zh,
            verdict_en=html.escape(verdict_en),
            rows="".join(
                f"<tr><th align=left>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                for k, v in rows
            ),
            office=html.escape(settings.org_name),
            node=html.escape(settings.node_id),
        ),
        status_code=200 if good else 410 if rows else 400,
    )
