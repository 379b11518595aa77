"""Detection launched from the console and followed: a rights holder screens listings
for the rights it holds, an assistance or protection centre for the rights of the
register it assists, an authority for rights or the classes of its industries; each
follows its own tasks (state, progress, leads found). The tasks are
:mod:`ipfed.nodes.detection.tasks`, as the API's."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.ledger.identity import Role
from ipfed.nodes.auth.dependencies import Caller
from ipfed.nodes.auth.policy import is_own_office
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.console.dependencies import Signed
from ipfed.nodes.console.queue import region_words
from ipfed.nodes.console.templating import render
from ipfed.nodes.database.core import transaction
from ipfed.nodes.detection import tasks
from ipfed.nodes.detection.schemas import TaskScope
from ipfed.nodes.errors import Forbidden, InvalidInput, IpfedError
from ipfed.nodes.http import ULID_PATTERN
from ipfed.nodes.identity import node_identity
from ipfed.nodes.rights.models import Right

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
# Whose scope is its rights alone (a holder's, or those of the holders a centre assists).
FOR_RIGHTS = frozenset({Role.RIGHTS_HOLDER, Role.ASSISTANCE_CENTRE})


def _requester(caller: Caller, settings: NodeSettings) -> str | None:
    """Whose tasks the caller follows: its own; the node's office, every task."""
    office = is_own_office(org=caller.org, role=caller.role, node_org=settings.org_name)
    return None if office else caller.org


def choosable(*, db: Session, caller: Caller) -> list[Right]:
    """The rights the caller may screen for: a holder's own; for anyone else (a centre
    assists the holders of the region this node serves) the node's register."""
    query = select(Right).order_by(Right.kind, Right.number)
    if caller.role is Role.RIGHTS_HOLDER:
        query = query.where(Right.holder == caller.org)
    return list(db.scalars(query))


def _page(
    request: Request,
    caller: Caller,
    before: str | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    settings: NodeSettings = request.app.state.settings
    with transaction(request.app.state.sessions) as db:
        found = tasks.tasks_of(
            db=db, requested_by=_requester(caller, settings), before=before, limit=PAGE_SIZE
        )
        context = {
            "tasks": found,
            "following": found[-1].id if len(found) == PAGE_SIZE else None,
            "rights": choosable(db=db, caller=caller),
            "rights_only": caller.role in FOR_RIGHTS,
            "error": None,
            "form": {},
        } | extra
        return render(request, "detection.html", context, status_code=status_code)


@router.get("/console/detection")
def detection_page(
    request: Request,
    caller: Signed,
    before: Annotated[str | None, Query(pattern=ULID_PATTERN)] = None,
) -> Response:
    return _page(request, caller, before)


def _classes(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace("，", ",").replace(",", " ").split()]
    except ValueError:
        raise InvalidInput(f"not class numbers: {text!r}", code="bad_nice_classes") from None


def _scope(caller: Caller, rights: list[str], nice_classes: str, region: str) -> TaskScope:
    """The task's scope from the form; the console's tasks always name what they screen for."""
    try:
        scope = TaskScope(
            rights=rights,
            nice_classes=[] if caller.role in FOR_RIGHTS else _classes(nice_classes),
            region=region or None,
        )
    except ValidationError:
        raise InvalidInput("the scope is not valid", code="bad_scope") from None
    if caller.role in FOR_RIGHTS and not scope.rights:
        raise InvalidInput("a task names the rights it screens for", code="rights_required")
    if not (scope.rights or scope.nice_classes):
        raise InvalidInput("a task names rights or classes", code="scope_required")
    return scope


@router.post("/console/detection")
def launch(
    request: Request,
    caller: Signed,
    rights: Annotated[list[str], Form(max_length=1000)] = [],  # noqa: B006 (FastAPI copies it)
    nice_classes: Annotated[str, Form(max_length=200)] = "",
    region: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    settings: NodeSettings = request.app.state.settings
    form = {"rights": rights, "nice_classes": nice_classes, "region": region}
    try:
        scope = _scope(caller, rights, nice_classes, region)
        node_identity(settings)  # refuse now if leads could not be anchored
        with transaction(request.app.state.sessions) as db:
            allowed = {right.number for right in choosable(db=db, caller=caller)}
            if any(number not in allowed for number in scope.rights):
                raise Forbidden("a task screens for the rights you hold", code="not_your_right")
            task = tasks.create_task(db=db, org=caller.org, role=caller.role, scope=scope)
            tasks.enqueue_task(db=db, task=task)
            task_id = task.id
    except IpfedError as exc:
        return _page(request, caller, status_code=exc.status_code, error=exc, form=form)
    return RedirectResponse(f"/console/detection/{task_id}", status_code=303)


@router.get("/console/detection/{task_id}")
def task_page(
    request: Request, caller: Signed, task_id: Annotated[str, Path(pattern=ULID_PATTERN)]
) -> Response:
    settings: NodeSettings = request.app.state.settings
    with transaction(request.app.state.sessions) as db:
        task = tasks.task_of(db=db, task_id=task_id, requested_by=_requester(caller, settings))
        context = {"task": task, "scope": TaskScope.model_validate(task.scope)}
        return render(request, "task.html", context | {"region": region_words})
