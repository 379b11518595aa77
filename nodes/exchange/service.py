"""Sending: the one entry point for any message, and what operators do with the outbox.

:func:`send` routes a body, signs one envelope per message the rules produce,
stores it in the outbox and queues one delivery per node that serves a
recipient, all in the caller's transaction. The delivery loop (``runner.py``)
carries them; :mod:`~ipfed.nodes.exchange.inbox` takes them in at the other end.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ipfed.exchange.envelope import Envelope, seal
from ipfed.exchange.errors import ExchangeError
from ipfed.exchange.messages import Body
from ipfed.exchange.routing import route
from ipfed.ledger.receipts import Receipt
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.errors import Conflict
from ipfed.nodes.exchange.models import DeliveryState, OutboxDelivery, OutboxEnvelope, PeerLink
from ipfed.nodes.exchange.network import Network


def link_of(*, db: Session, peer: str, **changes: Any) -> PeerLink:
    """The link row of ``peer`` with ``changes`` made, created on first use.

    It starts with a write, so that on SQLite the transaction waits for the write
    lock at once rather than failing later when it would upgrade a read.
    """
    changed = db.execute(
        update(PeerLink)
        .where(PeerLink.peer == peer)
        .values(**(changes or {"peer": peer}))
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        try:
            with db.begin_nested():
                db.add(PeerLink(peer=peer, next_seq=1, received_seq=0, failures=0))
        except IntegrityError:  # created meanwhile by another transaction
            pass
        if changes:
            return link_of(db=db, peer=peer, **changes)
    link = db.get(PeerLink, peer, populate_existing=True)
    assert link is not None
    return link


def next_seq(*, db: Session, peer: str, count: int = 1) -> int:
    """The first of the link's next ``count`` sequence numbers. The row stays locked
    until commit, so that deliveries to a peer are committed in their numbers' order."""
    statement = (
        update(PeerLink)
        .where(PeerLink.peer == peer)
        .values(next_seq=PeerLink.next_seq + count)
        .returning(PeerLink.next_seq)
        .execution_options(synchronize_session=False)
    )
    taken = db.execute(statement).scalar_one_or_none()
    if taken is None:  # the link's first delivery
        link_of(db=db, peer=peer)
        taken = db.execute(statement).scalar_one()
    return int(taken) - count


@dataclass(frozen=True)
class Outgoing:
    """A sealed envelope, what it is about, and the nodes that must receive it."""

    envelope: Envelope
    subject: str
    nodes: tuple[str, ...]


def send(
    *,
    db: Session,
    network: Network,
    body: Body,
    receipt: Receipt | None = None,
    now: datetime | None = None,
) -> list[Envelope]:
    """Route ``body``, sign and queue every resulting envelope; returns them.

    ``receipt`` is the ledger receipt of the body's anchored record, if any.
    Raises :class:`~ipfed.exchange.errors.Unroutable` when a recipient has no
    node to reach it through; nothing is queued then.
    """
    return send_all(db=db, network=network, messages=[(body, receipt)], now=now)


def send_all(
    *,
    db: Session,
    network: Network,
    messages: Sequence[tuple[Body, Receipt | None]],
    now: datetime | None = None,
) -> list[Envelope]:
    """:func:`send` for many messages at once (a reviewed batch of leads, say)."""
    now = now or utcnow()
    outgoing = [o for body, receipt in messages for o in _sealed(network, body, receipt, now)]
    queue(db=db, outgoing=outgoing, now=now)
    return [o.envelope for o in outgoing]


def _sealed(network: Network, body: Body, receipt: Receipt | None, now: datetime) -> list[Outgoing]:
    if receipt is not None and body.anchor() is None:
        raise ExchangeError(f"a {body.type} carries no ledger receipt", code="unexpected_receipt")
    sealed = []
    for dispatch in route(body, network.organisation, network.directory):
        nodes = tuple(sorted({network.node_serving(o) for o in dispatch.recipients}))
        envelope = seal(
            dispatch.body,
            recipients=dispatch.recipients,
            key=network.key,
            certificate=network.certificate,
            sender=network.organisation,
            now=now,
            receipt=receipt if dispatch.body.anchor() is not None else None,
        )
        if envelope.receipt is not None:  # what the receivers will check, checked here first
            envelope.verify(network.bundle, now)
        sealed.append(Outgoing(envelope, dispatch.body.subject, nodes))
    return sealed


def queue(*, db: Session, outgoing: Sequence[Outgoing], now: datetime) -> None:
    """Store sealed envelopes and queue each for its nodes, in link order."""
    if not outgoing:
        return
    db.execute(
        insert(OutboxEnvelope),
        [
            {
                "id": o.envelope.id,
                "type": o.envelope.type,
                "subject": o.subject,
                "recipients": o.envelope.recipients,
                "data": o.envelope.to_bytes(),
                "created_at": now,
            }
            for o in outgoing
        ],
    )
    per_node = Counter(node for o in outgoing for node in o.nodes)
    # Links are locked in one order, so that two senders never wait on each other.
    seq = {
        node: next_seq(db=db, peer=node, count=count) for node, count in sorted(per_node.items())
    }
    deliveries = []
    for o in outgoing:
        for node in o.nodes:
            deliveries.append(
                {
                    "peer": node,
                    "seq": seq[node],
                    "envelope_id": o.envelope.id,
                    "state": DeliveryState.PENDING,
                    "attempts": 0,
                    "queued_at": now,
                }
            )
            seq[node] += 1
    db.execute(insert(OutboxDelivery), deliveries)


def retry(*, db: Session, envelope_id: str) -> int:
    """Queue an envelope's dead deliveries again, at the end of their links; returns how many."""
    envelope = db.get(OutboxEnvelope, envelope_id)
    if envelope is not None and not envelope.data:
        raise Conflict(
            f"envelope {envelope_id} was erased (personal data): it cannot be sent again",
            code="envelope_erased",
        )
    dead = db.scalars(
        select(OutboxDelivery).where(
            OutboxDelivery.envelope_id == envelope_id, OutboxDelivery.state == DeliveryState.DEAD
        )
    ).all()
    for delivery in dead:
        db.execute(
            update(OutboxDelivery)
            .where(OutboxDelivery.peer == delivery.peer, OutboxDelivery.seq == delivery.seq)
            .values(
                seq=next_seq(db=db, peer=delivery.peer),
                state=DeliveryState.PENDING,
                code=None,
                reason=None,
                queued_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
    return len(dead)


def give_up(*, db: Session, envelope_id: str, reason: str) -> int:
    """Dead-letter an envelope's pending deliveries (an operator's decision)."""
    result = db.execute(
        update(OutboxDelivery)
        .where(
            OutboxDelivery.envelope_id == envelope_id,
            OutboxDelivery.state == DeliveryState.PENDING,
        )
        .values(state=DeliveryState.DEAD, code="given_up", reason=reason)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def counts(*, db: Session) -> dict[tuple[str, DeliveryState], int]:
    """Deliveries per peer and state."""
    rows = db.execute(
        select(OutboxDelivery.peer, OutboxDelivery.state, func.count()).group_by(
            OutboxDelivery.peer, OutboxDelivery.state
        )
    )
    return {(peer, state): n for peer, state, n in rows}
