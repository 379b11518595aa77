"""The office's marks pages: its marks listed and searched, a mark's page (what it
covers, its status, its timeline of events and its clone alerts), issuing a mark,
suspending or reinstating one with a reason, unit-code batches, and sheets of QR labels
to print. The marks services decide; this module translates forms and draws pages."""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ipfed.nodes.config import NodeSettings
from ipfed.nodes.console.dependencies import Now, Signed, person_of
from ipfed.nodes.console.i18n import language_of, words
from ipfed.nodes.console.nice import nice_class_words
from ipfed.nodes.console.queue import region_words
from ipfed.nodes.console.templating import render
from ipfed.nodes.database.core import get_or_404, transaction
from ipfed.nodes.errors import InvalidInput, IpfedError, NotFound
from ipfed.nodes.http import ULID_PATTERN
from ipfed.nodes.marks import events, issuing, labels, lookup
from ipfed.nodes.marks import status as statuses
from ipfed.nodes.marks.models import BizStep, CloneAlert, Mark, MarkEvent, UnitBatch, UnitCode
from ipfed.nodes.marks.schemas import MAX_UNITS_PER_REQUEST, MarkIn
from ipfed.nodes.rights.models import Right
from ipfed.registry.lifecycle import TRANSITIONS, MarkStatus

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
MarkId = Annotated[str, Path(pattern=ULID_PATTERN)]
Search = Annotated[str, Query(max_length=100)]
Cursor = Annotated[str, Query(max_length=26)]
Format = Annotated[str, Path(pattern="^(png|pdf)$")]
Reason = Annotated[str, Form(min_length=1, max_length=2000)]
# The changes a person makes on the mark's page (revoking and expiry follow the right).
CHANGES = (MarkStatus.SUSPENDED, MarkStatus.ACTIVE)
MEDIA = {"png": "image/png", "pdf": "application/pdf"}


def event_code(event: MarkEvent) -> str:
    """What happened, as a code of the catalogue: a batch of unit codes is commissioned
    as the mark is, and tells itself apart by its batch."""
    if event.biz_step is BizStep.COMMISSIONING and "batch" in event.detail:
        return "event_unit_batch"
    return "event_" + event.biz_step.value.removeprefix("ipfed:")


def marks_page(
    *, db: Session, search: str, after: str | None, limit: int
) -> tuple[list[Mark], str | None]:
    """The office's marks, newest first, whose right number or holder contains ``search``."""
    query = select(Mark).join(Mark.right).order_by(Mark.id.desc()).limit(limit + 1)
    if search:
        like = f"%{search}%"
        query = query.where(
            or_(
                Right.number.ilike(like),
                Right.name.ilike(like),
                Mark.holder.ilike(like),
                Mark.holder_uscc.ilike(like),
                Mark.licensee.ilike(like),
            )
        )
    if after:
        if not re.fullmatch(ULID_PATTERN.strip("^$"), after):
            raise InvalidInput(f"after: {after!r} is not a mark's id", code="bad_cursor")
        query = query.where(Mark.id < after)
    rows = list(db.scalars(query).unique())
    following = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], following


def _list_page(
    request: Request, search: str, after: str, status_code: int = 200, **extra: Any
) -> Response:
    with request.app.state.sessions() as db:
        marks, following = marks_page(db=db, search=search, after=after or None, limit=PAGE_SIZE)
        context = {
            "marks": marks,
            "following": following,
            "search": search,
            "max_units": MAX_UNITS_PER_REQUEST,
            "error": None,
            "form": {},
            **extra,
        }
        return render(request, "marks.html", context, status_code=status_code)


@router.get("/console/marks")
def marks_view(request: Request, _: Signed, q: Search = "", after: Cursor = "") -> Response:
    return _list_page(request, q.strip(), after)


def mark_context(*, db: Session, settings: NodeSettings, mark: Mark) -> dict[str, Any]:
    timeline = events.mark_events(db=db, mark_id=mark.id)
    alerts = db.scalars(
        select(CloneAlert).where(CloneAlert.mark_id == mark.id).order_by(CloneAlert.id)
    ).all()
    batches = db.scalars(
        select(UnitBatch).where(UnitBatch.mark_id == mark.id).order_by(UnitBatch.id)
    ).all()
    return {
        "mark": mark,
        "right": mark.right,
        "url": lookup.mark_url(settings=settings, token=mark.token),
        "timeline": list(reversed(timeline)),  # newest first
        "event_code": event_code,
        "alerts": alerts,
        "batches": batches,
        "changes": [status for status in CHANGES if status in TRANSITIONS[mark.status]],
        "region": region_words,
        "nice": nice_class_words,
        "max_units": MAX_UNITS_PER_REQUEST,
        "per_part": labels.PER_PART,
        "error": None,
        "done": None,
    }


def _mark_page(request: Request, mark_id: str, status_code: int = 200, **extra: Any) -> Response:
    settings: NodeSettings = request.app.state.settings
    with request.app.state.sessions() as db:
        mark = lookup.get_mark(db=db, mark_id=mark_id)
        context = mark_context(db=db, settings=settings, mark=mark) | extra
        return render(request, "mark.html", context, status_code=status_code)


@router.get("/console/marks/{mark_id}")
def mark_view(
    request: Request, _: Signed, mark_id: MarkId, done: Annotated[str, Query(max_length=40)] = ""
) -> Response:
    return _mark_page(request, mark_id, done=done or None)


def _right_by_number(db: Session, number: str) -> Right:
    right = db.scalars(select(Right).where(Right.number == number).order_by(Right.id)).first()
    if right is None:
        raise InvalidInput(f"no right numbered {number!r} in the register", code="right_unknown")
    return right


def _classes(text: str) -> list[int] | None:
    """``25, 35`` (any separators) as classes; nothing: all the right's."""
    found = re.split(r"[^0-9]+", text.strip())
    numbers = [int(n) for n in found if n]
    return numbers or None


@router.post("/console/marks")
def mark_issue(
    request: Request,
    caller: Signed,
    now: Now,
    right_number: Annotated[str, Form(min_length=1, max_length=50)],
    holder_uscc: Annotated[str, Form(max_length=18)],
    nice_classes: Annotated[str, Form(max_length=200)] = "",
    valid_until: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    person = person_of(caller)
    settings: NodeSettings = request.app.state.settings
    try:
        with transaction(request.app.state.sessions) as db:
            right = _right_by_number(db, right_number.strip())
            try:
                asked = MarkIn(
                    right_id=right.id,
                    holder_uscc=holder_uscc.strip(),
                    nice_classes=_classes(nice_classes),
                    valid_until=valid_until or None,
                )
            except ValidationError as exc:
                fields = ", ".join(str(e["loc"][0]) for e in exc.errors())
                raise InvalidInput(f"not a valid mark: {fields}", code="bad_mark_form") from None
            mark = issuing.issue_mark(
                db=db, settings=settings, request=asked, today=now.date(), person=person
            )
            mark_id = mark.id
    except IpfedError as exc:
        kept = {
            "right_number": right_number,
            "holder_uscc": holder_uscc,
            "nice_classes": nice_classes,
            "valid_until": valid_until,
        }  # the form shown again as it was filled in
        return _list_page(request, "", "", status_code=exc.status_code, error=exc, form=kept)
    return RedirectResponse(f"/console/marks/{mark_id}?done=issued", status_code=303)


@router.post("/console/marks/{mark_id}/status")
def mark_status(
    request: Request,
    caller: Signed,
    mark_id: MarkId,
    status: Annotated[MarkStatus, Form()],
    reason: Reason,
) -> Response:
    person = person_of(caller)
    settings: NodeSettings = request.app.state.settings
    try:
        if status not in CHANGES:
            raise InvalidInput("a mark is suspended or reinstated here", code="bad_status_change")
        with transaction(request.app.state.sessions) as db:
            statuses.change_status(
                db=db,
                settings=settings,
                mark=lookup.get_mark(db=db, mark_id=mark_id),
                status=status,
                reason=reason.strip(),
                by=caller.org,
                person=person,
            )
    except IpfedError as exc:
        return _mark_page(request, mark_id, status_code=exc.status_code, error=exc)
    return RedirectResponse(f"/console/marks/{mark_id}?done={status.value}", status_code=303)


@router.post("/console/marks/{mark_id}/units")
def mark_units(
    request: Request,
    caller: Signed,
    mark_id: MarkId,
    batch_number: Annotated[str, Form(min_length=1, max_length=64)],
    quantity: Annotated[int, Form(ge=1)],
) -> Response:
    person_of(caller)
    settings: NodeSettings = request.app.state.settings
    try:
        if quantity > MAX_UNITS_PER_REQUEST:
            raise InvalidInput(
                f"at most {MAX_UNITS_PER_REQUEST} unit codes at once", code="too_many_units"
            )
        with transaction(request.app.state.sessions) as db:
            batch, _ = issuing.issue_units(
                db=db,
                settings=settings,
                mark=lookup.get_mark(db=db, mark_id=mark_id),
                batch_number=batch_number.strip(),
                quantity=quantity,
                by=caller.org,
            )
            batch_id = batch.id
    except IpfedError as exc:
        return _mark_page(request, mark_id, status_code=exc.status_code, error=exc)
    return RedirectResponse(f"/console/marks/{mark_id}?done=units#batch-{batch_id}", 303)


def _caption(mark: Mark, lang: str, *extra: str) -> tuple[str, ...]:
    right = mark.right
    return (
        f"{words(right.kind, lang)} {right.number} {right.name}",
        mark.holder,
        *extra,
        words("scan_to_verify", lang),
    )


def _sheet(fmt: str, sheet: list[labels.Label], name: str) -> Response:
    drawn = labels.sheet_png(sheet) if fmt == "png" else labels.sheet_pdf(sheet)
    disposition = f'attachment; filename="{name}.{fmt}"'
    return Response(drawn, media_type=MEDIA[fmt], headers={"Content-Disposition": disposition})


@router.get("/console/marks/{mark_id}/labels.{fmt}")
def mark_labels(request: Request, _: Signed, mark_id: MarkId, fmt: Format) -> Response:
    """A sheet of the mark's own label, to print and stick on."""
    settings: NodeSettings = request.app.state.settings
    lang = language_of(request)
    with request.app.state.sessions() as db:
        mark = lookup.get_mark(db=db, mark_id=mark_id)
        url = lookup.mark_url(settings=settings, token=mark.token)
        label = labels.Label(url, _caption(mark, lang))
        return _sheet(fmt, [label] * labels.PER_PAGE, f"mark-{mark.right.number}")


@router.get("/console/marks/{mark_id}/batches/{batch_id}/labels.{fmt}")
def batch_labels(
    request: Request,
    _: Signed,
    mark_id: MarkId,
    batch_id: Annotated[str, Path(pattern=ULID_PATTERN)],
    fmt: Format,
    part: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """A label for each unit code of the batch, in parts of ``labels.PER_PART`` (PNG: a
    part's first sheet; PDF: the whole part)."""
    settings: NodeSettings = request.app.state.settings
    lang = language_of(request)
    with request.app.state.sessions() as db:
        mark = lookup.get_mark(db=db, mark_id=mark_id)
        batch = get_or_404(db, UnitBatch, batch_id, message=f"no batch {batch_id}")
        if batch.mark_id != mark.id:
            raise NotFound(f"no batch {batch_id} of mark {mark_id}")
        units = db.scalars(
            select(UnitCode)
            .where(UnitCode.batch_id == batch.id)
            .order_by(UnitCode.serial)
            .offset((part - 1) * labels.PER_PART)
            .limit(labels.PER_PART)
        ).all()
        if not units:
            raise NotFound(f"batch {batch.batch_number} has no part {part}")
        sheet = [
            labels.Label(
                lookup.mark_url(settings=settings, token=unit.token),
                _caption(mark, lang, f"{batch.batch_number} · {unit.serial}"),
            )
            for unit in units
        ]
        return _sheet(fmt, sheet, f"batch-{batch.batch_number}-{part}")
