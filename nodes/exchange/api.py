from operator import attrgetter
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from ipfed.exchange.keys import LinkKey
from ipfed.exchange.messages import MessageType
from ipfed.ledger.ids import ULID_CHARACTERS
from ipfed.nodes.auth.dependencies import Caller, current_caller
from ipfed.nodes.auth.policy import inbox_of
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.errors import IpfedError, NotFound
from ipfed.nodes.exchange import views
from ipfed.nodes.exchange.models import DeliveryState, InboxState
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.exchange.runner import Exchange
from ipfed.nodes.exchange.schemas import (
    Changed,
    DeadLetter,
    FeedbackIn,
    GiveUpIn,
    InboxItem,
    LinkStatus,
    MessageIn,
    OutboxItem,
    Sent,
    Thread,
)
from ipfed.nodes.exchange.service import give_up, retry, send
from ipfed.nodes.http import (
    DB,
    ULID_PATTERN,
    After,
    Cursor,
    Limit,
    Settings,
    page,
    page_of_whole,
)
from ipfed.nodes.schemas import BIGINT_MAX, Page

router = APIRouter(prefix="/exchange", tags=["exchange"])
DeadLetterCursor = Annotated[
    str | None,
    Query(pattern=rf"^{ULID_CHARACTERS}/[a-z0-9-]+$", description="the `next` cursor"),
]
Anyone = Annotated[Caller, Depends(current_caller)]
Office = Annotated[Caller, Depends(current_caller)]


class NoExchange(IpfedError):
    """The node runs no exchange (no identity or endpoint): nothing to find here."""

    code = "no_exchange"
    status_code = 404


def running(request: Request) -> Exchange:
    exchange: Exchange | None = getattr(request.app.state, "exchange", None)
    if exchange is None:
        raise NoExchange("this node has no federation identity, so no exchange")
    return exchange


def network(request: Request) -> Network:
    return running(request).network


def visible_to(caller: Caller, settings: NodeSettings) -> str | None:
    """The node's own office sees every envelope; anyone else only those addressed to it."""
    return inbox_of(org=caller.org, role=caller.role, node_org=settings.org_name)


@router.get("/link-key")
def get_link_key(request: Request) -> LinkKey:
    """This node's CURVE public key, signed by its office: how peers learn it (no API key)."""
    return running(request).link_key()


@router.post("/messages", status_code=201)
def post_message(request: Request, db: DB, _: Office, message: MessageIn) -> Sent:
    """Route, sign and queue a message; the routing rules choose its recipients."""
    envelopes = send(
        db=db, network=network(request), body=message.typed_body(), receipt=message.receipt
    )
    return Sent(envelopes=envelopes)


@router.get("/inbox")
def get_inbox(
    db: DB,
    settings: Settings,
    caller: Anyone,
    type: MessageType | None = None,
    state: InboxState | None = None,
    subject: Annotated[str | None, Query(max_length=300)] = None,
    after: Annotated[
        int | None, Query(ge=0, le=BIGINT_MAX, description="the `next` cursor")
    ] = None,
    limit: Limit = 50,
) -> Page[InboxItem]:
    """Envelopes received, in order: an enforcement authority's queue of leads, for one."""
    rows = views.inbox(
        db=db,
        organisation=visible_to(caller, settings),
        type=type,
        state=state,
        subject=subject,
        after=after,
        limit=limit,
    )
    return page(InboxItem, [views.inbox_item(row) for row in rows], limit)


@router.get("/inbox/{inbox_id}")
def get_received(
    db: DB,
    settings: Settings,
    caller: Anyone,
    inbox_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)],
) -> InboxItem:
    row = views.received(db=db, inbox_id=inbox_id, organisation=visible_to(caller, settings))
    return views.inbox_item(row)


@router.get("/outbox")
def get_outbox(
    db: DB,
    _: Office,
    state: DeliveryState | None = None,
    type: MessageType | None = None,
    subject: Annotated[str | None, Query(max_length=300)] = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[OutboxItem]:
    items = views.outbox(db=db, state=state, type=type, subject=subject, after=after, limit=limit)
    return page(OutboxItem, items, limit)


@router.get("/dead-letters")
def get_dead_letters(
    db: DB, _: Office, after: DeadLetterCursor = None, limit: Limit = 100
) -> Page[DeadLetter]:
    """Deliveries given up, with the reason (a peer's refusal, or an operator's decision)."""
    envelope_and_peer = (after[:26], after[27:]) if after else None  # "<envelope id>/<peer>"
    letters = views.dead_letters(db=db, after=envelope_and_peer, limit=limit)
    return page(
        DeadLetter, letters, limit, key=lambda letter: f"{letter.envelope_id}/{letter.peer}"
    )


@router.post("/outbox/{envelope_id}/retry")
def post_retry(db: DB, _: Office, envelope_id: str) -> Changed:
    """Queue an envelope's dead deliveries again (e.g. once the peer's trust bundle is fixed)."""
    changed = retry(db=db, envelope_id=envelope_id)
    if not changed:
        raise NotFound(f"envelope {envelope_id} has no dead delivery", code="no_dead_letter")
    return Changed(envelope_id=envelope_id, deliveries=changed)


@router.post("/outbox/{envelope_id}/give-up")
def post_give_up(db: DB, caller: Office, envelope_id: str, give: GiveUpIn) -> Changed:
    """Stop trying to deliver an envelope: its pending deliveries become dead letters."""
    changed = give_up(db=db, envelope_id=envelope_id, reason=f"{caller.org}: {give.reason}")
    if not changed:
        raise NotFound(f"envelope {envelope_id} has no pending delivery", code="no_pending")
    return Changed(envelope_id=envelope_id, deliveries=changed)


@router.get("/links")
def get_links(
    request: Request, db: DB, _: Office, after: Cursor = None, limit: Limit = 100
) -> Page[LinkStatus]:
    """Per peer: pending, delivered and dead deliveries, failures and back-off."""
    exchange = running(request)
    links = views.links(
        db=db, network=exchange.network, endpoint=exchange.settings.exchange_endpoint
    )
    return page_of_whole(LinkStatus, links, key=attrgetter("peer"), after=after, limit=limit)


@router.get("/threads/{subject}")
def get_thread(
    db: DB, settings: Settings, caller: Anyone, subject: Annotated[str, Path(max_length=300)]
) -> Thread:
    """A lead's (or filing's, or mark's) push, record and feedback, sent and received."""
    return views.thread(db=db, subject=subject, organisation=visible_to(caller, settings))


@router.post("/leads/{lead_id}/feedback", status_code=201)
def post_feedback(
    request: Request,
    db: DB,
    settings: Settings,
    caller: Annotated[Caller, Depends(current_caller)],
    lead_id: Annotated[str, Path(pattern=ULID_PATTERN)],
    feedback: FeedbackIn,
) -> Sent:
    """Report the result of handling a lead pushed to you; it travels back to its finder."""
    envelopes = views.report_feedback(
        db=db,
        network=network(request),
        lead_id=lead_id,
        handled_by=caller.org,
        organisation=visible_to(caller, settings),
        feedback=feedback,
    )
    return Sent(envelopes=envelopes)
