"""The fair organizer's pages: its fairs, a fair registered, exhibitors and exhibits
uploaded from the file the API and the CLI take (with the rejection report), the
pre-exhibition check, and each flag cleared or upheld with a reason by a person.

Organizers see their own fairs; offices and enforcement every fair, to read. The
work is the fairs service's: these pages only show it and take its forms."""

import tempfile
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.ledger.identity import Role
from ipfed.nodes.accounts.models import Account
from ipfed.nodes.auth.dependencies import Caller
from ipfed.nodes.body_limit import max_body
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.console.dependencies import Now, Signed, person_of
from ipfed.nodes.console.i18n import CATALOGUE
from ipfed.nodes.console.nice import nice_class_words
from ipfed.nodes.console.queue import region_words
from ipfed.nodes.console.templating import render
from ipfed.nodes.database.core import transaction
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.fairs import service
from ipfed.nodes.fairs.files import Rejection, read_exhibitors
from ipfed.nodes.fairs.schemas import CheckReport, FairIn, FlagDecision
from ipfed.nodes.imports.readers import UnreadableFile

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=300)]
Reason = Annotated[str, Form(max_length=2000)]
EXHIBIT_FILE_BYTES = 32 << 20  # as the API takes a large fair at once
SUFFIXES = {".csv", ".json", ".jsonl", ".ndjson"}


def _fairs_page(request: Request, caller: Caller, status_code: int = 200, **extra: Any) -> Response:
    organizer = caller.org if caller.role is Role.FAIR else None
    with request.app.state.sessions() as db:
        fairs = service.list_fairs(db=db, organizer=organizer, after=None, limit=200)
    context = {
        "fairs": fairs,
        "organizer": caller.role is Role.FAIR,
        "today": service.fair_today(request.app.state.clock()),
        "form": {},
        "errors": [],
        "error": None,
        "region": region_words,
        **extra,
    }
    return render(request, "fairs.html", context, status_code=status_code)


@router.get("/console/fairs")
def fairs_page(request: Request, caller: Signed) -> Response:
    return _fairs_page(request, caller)


@router.post("/console/fairs")
def register_fair(
    request: Request,
    caller: Signed,
    now: Now,
    name: Text = "",
    venue: Text = "",
    region_code: Annotated[str, Form(max_length=6)] = "",
    category: Annotated[str, Form(max_length=100)] = "",
    starts_on: Annotated[str, Form(max_length=10)] = "",
    ends_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    person_of(caller)
    form = {
        "name": name,
        "venue": venue,
        "region_code": region_code,
        "category": category,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    try:
        fair_in = FairIn.model_validate(form)
    except ValidationError as exc:
        errors = [_field_error(error) for error in exc.errors(include_url=False)]
        return _fairs_page(request, caller, 422, form=form, errors=errors)
    settings: NodeSettings = request.app.state.settings
    try:
        with transaction(request.app.state.sessions) as db:
            fair = service.register_fair(
                db=db,
                settings=settings,
                request=fair_in,
                organizer=caller.org,
                today=service.fair_today(now),
            )
            fair_id = fair.id
    except IpfedError as exc:
        return _fairs_page(request, caller, exc.status_code, form=form, error=exc.code)
    return RedirectResponse(f"/console/fairs/{fair_id}?done=registered", status_code=303)


def _field_error(error: Any) -> dict[str, str]:
    where = ".".join(str(part) for part in error["loc"])
    return {"field": where, "message": str(error["msg"]).removeprefix("Value error, ")}


def _fair_page(
    request: Request, caller: Caller, fair_id: str, status_code: int = 200, **extra: Any
) -> Response:
    with request.app.state.sessions() as db:
        fair = service.get_fair(db=db, fair_id=fair_id)
        service.ensure_visible(fair=fair, org=caller.org, role=caller.role)
        report = service.check_report(db=db, fair=fair)
        names = _names(db, report)
    context = {
        "names": names,
        "report": report,
        "fair": report.fair,
        "organizer": caller.role is Role.FAIR,
        "rejections": [],
        "error": None,
        "done": None,
        "decisions": list(FlagDecision),
        "catalogue": CATALOGUE,  # a rejection's code is shown as words when it has them
        "region": region_words,
        "nice": nice_class_words,
        **extra,
    }
    return render(request, "fair.html", context, status_code=status_code)


def _names(db: Session, report: CheckReport) -> dict[str, str]:
    """The names of the people who reviewed or raised the report's flags (stored by id)."""
    ids = {
        who
        for exhibitor in report.exhibitors
        for exhibit in exhibitor.exhibits
        for item in exhibit.flags
        for who in (item.review.person if item.review else None, item.evidence.get("person"))
        if who
    }
    if not ids:
        return {}
    found = db.execute(select(Account.id, Account.name).where(Account.id.in_(ids)))
    return {account_id: name for account_id, name in found}


@router.get("/console/fairs/{fair_id}")
def fair_page(request: Request, caller: Signed, fair_id: str, done: str | None = None) -> Response:
    known = done if done in {"registered", "uploaded", "reviewed"} else None
    return _fair_page(request, caller, fair_id, done=known)


@router.post("/console/fairs/{fair_id}/exhibits", openapi_extra=max_body(EXHIBIT_FILE_BYTES))
def upload_exhibits(
    request: Request,
    caller: Signed,
    now: Now,
    fair_id: str,
    exhibits: Annotated[UploadFile, File()],
) -> Response:
    person_of(caller)
    suffix = PurePath(exhibits.filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        rejection = Rejection(0, None, "unreadable_file", "a .csv, .jsonl or .json file")
        return _fair_page(request, caller, fair_id, 422, rejections=[rejection])
    settings: NodeSettings = request.app.state.settings
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"exhibits{suffix}"
        path.write_bytes(exhibits.file.read(EXHIBIT_FILE_BYTES + 1))
        try:
            exhibitors, rejections = read_exhibitors(path)
        except UnreadableFile as exc:
            rejections = [Rejection(0, None, "unreadable_file", str(exc))]
    if rejections or not exhibitors:
        rejections = rejections or [Rejection(0, None, "empty_file", "no exhibits in the file")]
        return _fair_page(request, caller, fair_id, 422, rejections=rejections)
    try:
        with transaction(request.app.state.sessions) as db:
            fair = service.get_fair(db=db, fair_id=fair_id)
            service.ensure_organizer(fair=fair, org=caller.org, role=caller.role)
            service.add_exhibitors(
                db=db,
                settings=settings,
                fair=fair,
                exhibitors=exhibitors,
                today=service.fair_today(now),
            )
    except IpfedError as exc:
        if exc.status_code in (403, 404):
            raise
        return _fair_page(request, caller, fair_id, exc.status_code, error=exc.code)
    return RedirectResponse(f"/console/fairs/{fair_id}?done=uploaded", status_code=303)


@router.post("/console/fairs/{fair_id}/exhibits/{exhibit_id}/flags/{index}")
def review_flag(
    request: Request,
    caller: Signed,
    now: Now,
    fair_id: str,
    exhibit_id: str,
    index: int,
    decision: Annotated[FlagDecision, Form()],
    reason: Reason = "",
) -> Response:
    person = person_of(caller)
    try:
        with transaction(request.app.state.sessions) as db:
            fair = service.get_fair(db=db, fair_id=fair_id)
            service.ensure_organizer(fair=fair, org=caller.org, role=caller.role)
            exhibit = service.get_exhibit(db=db, fair=fair, exhibit_id=exhibit_id)
            service.review_flag(
                exhibit=exhibit,
                index=index,
                decision=decision,
                reason=reason,
                org=caller.org,
                person=person,
                now=now,
            )
    except IpfedError as exc:
        if exc.status_code in (403, 404):
            raise
        return _fair_page(request, caller, fair_id, exc.status_code, error=exc.code)
    return RedirectResponse(f"/console/fairs/{fair_id}?done=reviewed#{exhibit_id}", status_code=303)
