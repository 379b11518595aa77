"""The office's work queue page: items filtered and paged, claimed or assigned to a
person of the office, and a selection confirmed or rejected at once with a reason.
The queue itself is :mod:`ipfed.nodes.queue.service`; this module translates forms."""

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ipfed.exchange.messages import LeadKind
from ipfed.nodes.auth.dependencies import Caller
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.console.dependencies import Now, Signed, person_of
from ipfed.nodes.console.templating import render
from ipfed.nodes.database.core import transaction
from ipfed.nodes.detection.models import Decision
from ipfed.nodes.errors import InvalidInput, IpfedError
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.queue import service as queue
from ipfed.nodes.queue.service import UNCLAIMED, Decided, Filters, ItemKind
from ipfed.registry.identifiers import InvalidIdentifier, region_name

router = APIRouter(include_in_schema=False)

Field = Annotated[str, Query(max_length=300)]
Item = Annotated[str, Form(min_length=3, max_length=60)]
Back = Annotated[str, Form(max_length=1000)]
PAGE_SIZE = 25
T = TypeVar("T")
FILTERS = ("kind", "detector", "region", "task", "min_priority", "older_than", "assignee")
# Where each kind of item is looked at (the page ends with the item's id).
PAGES = {ItemKind.DETECTOR_LEAD.value: "/console/leads/"}
# Decisions a selection may take at once (asking for more is one lead at a time).
AT_ONCE = (Decision.CONFIRM, Decision.REJECT)


def _choice(kind: Callable[[str], T], value: str, name: str) -> T | None:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not a choice", code=f"bad_{name}") from None


def region_words(code: str | None) -> str:
    """A region code with its name (``义乌市 330782``); the code alone if it names none."""
    if not code:
        return "—"
    try:
        return f"{region_name(code)} {code}"
    except InvalidIdentifier:
        return code


def filters_of(params: dict[str, str]) -> Filters:
    """The page's filters from its query (an empty field: no filter)."""
    get = params.get
    older = _choice(int, get("older_than", ""), "older_than")
    if older is not None and older < 0:
        raise InvalidInput("older_than: days are never negative", code="bad_older_than")
    return Filters(
        kind=_choice(ItemKind, get("kind", ""), "kind"),
        detector=_choice(LeadKind, get("detector", ""), "detector"),
        region=get("region", "").strip() or None,
        task=get("task", "").strip() or None,
        min_priority=_choice(float, get("min_priority", ""), "min_priority"),
        older_than_days=older,
        assignee=get("assignee", "") or None,
    )


def _queue_page(
    request: Request, caller: Caller, params: dict[str, str], status_code: int = 200, **extra: Any
) -> Response:
    settings: NodeSettings = request.app.state.settings
    with request.app.state.sessions() as db:
        items, following = queue.queue_page(
            db=db,
            filters=filters_of(params),
            now=request.app.state.clock(),
            after=params.get("after") or None,
            limit=PAGE_SIZE,
        )
        people = queue.office_people(db=db, node_org=settings.org_name)
        chosen = {name: params.get(name, "") for name in FILTERS}
        query = urlencode({k: v for k, v in chosen.items() if v})
        context = {
            "items": items,
            "following": following,
            "filters": chosen,
            "query": query,
            "kinds": list(ItemKind),
            "paths": PAGES,
            "region": region_words,
            "detectors": list(LeadKind),
            "people": people,
            "me": caller.person.id if caller.person else None,
            "unclaimed": UNCLAIMED,
            "at_once": AT_ONCE,
            "done": params.get("done"),
            "error": None,
            **extra,
        }
        return render(request, "queue.html", context, status_code=status_code)


@router.get("/console/queue")
def queue_view(
    request: Request,
    caller: Signed,
    kind: Field = "",
    detector: Field = "",
    region: Field = "",
    task: Field = "",
    min_priority: Field = "",
    older_than: Field = "",
    assignee: Field = "",
    after: Field = "",
    done: Field = "",
) -> Response:
    params = {k: v for k, v in locals().items() if isinstance(v, str)}
    return _queue_page(request, caller, params)


def _back(back: str) -> dict[str, str]:
    """The filters the form was posted from (its query string), and nothing else."""
    return {k: v for k, v in parse_qsl(back) if k in FILTERS}


def _done(back: str, done: str) -> RedirectResponse:
    query = urlencode({**_back(back), "done": done})
    return RedirectResponse(f"/console/queue?{query}", status_code=303)


@router.post("/console/queue/claim")
def queue_claim(
    request: Request, caller: Signed, now: Now, item: Item, back: Back = ""
) -> Response:
    person = person_of(caller)
    try:
        with transaction(request.app.state.sessions) as db:
            queue.claim(db=db, key=item, person=person, now=now)
    except IpfedError as exc:
        return _queue_page(request, caller, _back(back), status_code=exc.status_code, error=exc)
    return _done(back, "claimed")


@router.post("/console/queue/assign")
def queue_assign(
    request: Request,
    caller: Signed,
    now: Now,
    item: Item,
    assignee: Annotated[str, Form(max_length=26)],
    back: Back = "",
) -> Response:
    person = person_of(caller)
    settings: NodeSettings = request.app.state.settings
    try:
        with transaction(request.app.state.sessions) as db:
            account = queue.office_person(db=db, account_id=assignee, node_org=settings.org_name)
            queue.assign(db=db, key=item, assignee=account, by=person, now=now)
    except IpfedError as exc:
        return _queue_page(request, caller, _back(back), status_code=exc.status_code, error=exc)
    return _done(back, "assigned")


def decide(
    request: Request, caller: Caller, *, decision: Decision, reason: str, keys: list[str]
) -> None:
    """The person's decision on the queue's items ``keys``, in one transaction."""
    person = person_of(caller)
    settings: NodeSettings = request.app.state.settings
    with transaction(request.app.state.sessions) as db:
        decided = Decided(
            decision=decision,
            reason=reason,
            reviewer=caller.org,
            person=person,
            ledger=node_ledger(db=db, settings=settings),
        )
        queue.decide(db=db, keys=keys, decided=decided)


@router.post("/console/queue/decide")
def queue_decide(
    request: Request,
    caller: Signed,
    decision: Annotated[Decision, Form()],
    items: Annotated[list[str], Form(max_length=PAGE_SIZE)] = [],  # noqa: B006  (FastAPI copies it)
    reason: Annotated[str, Form(max_length=2000)] = "",
    back: Back = "",
) -> Response:
    try:
        if decision not in AT_ONCE:
            raise InvalidInput("ask for more one lead at a time", code="one_at_a_time")
        decide(request, caller, decision=decision, reason=reason, keys=items)
    except IpfedError as exc:
        return _queue_page(request, caller, _back(back), status_code=exc.status_code, error=exc)
    return _done(back, decision.value)
