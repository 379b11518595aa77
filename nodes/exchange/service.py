"""Sending and receiving envelopes durably.

:func:`send` is the one entry point for any message: it routes the body,
signs one envelope per message the rules produce, stores it in the outbox
and queues one delivery per node that serves a recipient, all in the
caller's transaction. The delivery loop (see ``runner.py``) carries them.

:func:`receive` takes a batch from an authenticated peer: every envelope is
checked, stored in the inbox with its outcome, and handed to the handlers in
the same transaction, so a duplicate is recognised and applied only once.
"""

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ipfed.exchange.envelope import Envelope, seal
from ipfed.exchange.errors import ExchangeError, Refused
from ipfed.exchange.messages import Body
from ipfed.exchange.routing import route
from ipfed.exchange.transport import Ack, AckStatus, Delivery
from ipfed.ledger.errors import LedgerError
from ipfed.ledger.identity import Organisation
from ipfed.ledger.receipts import Receipt
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.exchange.handlers import Handlers, Received
from ipfed.nodes.exchange.models import (
    Addressee,
    DeliveryState,
    InboxEnvelope,
    InboxState,
    OutboxEnvelope,
    PeerLink,
)
from ipfed.nodes.exchange.models import Delivery as QueuedDelivery
from ipfed.nodes.exchange.network import Network

RETRY_FIRST_SECONDS = 0.25


def link_of(db: Session, peer: str, **changes: Any) -> PeerLink:
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
            return link_of(db, peer, **changes)
    link = db.get(PeerLink, peer, populate_existing=True)
    assert link is not None
    return link


def next_seq(db: Session, peer: str, count: int = 1) -> int:
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
        link_of(db, peer)
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
    seq = {node: next_seq(db, node, count) for node, count in sorted(per_node.items())}
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
    db.execute(insert(QueuedDelivery), deliveries)


# --- receiving --------------------------------------------------------------


def receive(
    *,
    db: Session,
    network: Network,
    handlers: Handlers,
    peer: str,
    deliveries: Sequence[Delivery],
    now: datetime | None = None,
) -> list[Ack]:
    """Check, store and apply a batch from ``peer`` in order; one ack per delivery."""
    now = now or utcnow()
    link = link_of(db, peer, last_received_at=now)
    answered: dict[int, Ack] = {}
    arrivals: list[_Arrival] = []
    for delivery in deliveries:
        if delivery.seq <= link.received_seq:
            answered[delivery.seq] = _again(db, peer, delivery)
        else:
            link.received_seq = delivery.seq
            arrivals.append(_check(network, peer, delivery, now))
    _refuse_replays(db, arrivals)
    rows = [arrival.row(peer, now) for arrival in arrivals]
    stored = (
        db.scalars(
            insert(InboxEnvelope).returning(InboxEnvelope.id, sort_by_parameter_order=True), rows
        ).all()
        if rows
        else []
    )
    addressees = []
    for arrival, inbox_id in zip(arrivals, stored, strict=True):
        if (envelope := arrival.accepted) is not None and envelope.type in handlers:
            _apply(db, handlers, arrival, inbox_id)
        if arrival.accepted is not None:
            addressees += [
                {"inbox_id": inbox_id, "organisation": o.name} for o in arrival.addressees
            ]
        answered[arrival.delivery.seq] = arrival.ack()
    if addressees:
        db.execute(insert(Addressee), addressees)
    return [answered[delivery.seq] for delivery in deliveries]


@dataclass
class _Arrival:
    """A new delivery and what checking it found."""

    delivery: Delivery
    envelope: Envelope | None = None
    body: Body | None = None
    sender: Organisation | None = None
    addressees: list[Organisation] = field(default_factory=list)
    refusal: Refused | None = None

    @property
    def accepted(self) -> Envelope | None:
        """The envelope, unless something refused it."""
        return self.envelope if self.refusal is None else None

    def row(self, peer: str, now: datetime) -> dict[str, Any]:
        envelope, refusal = self.envelope, self.refusal
        return {
            "peer": peer,
            "seq": self.delivery.seq,
            "data": self.delivery.envelope,
            "envelope_id": envelope.id if envelope else None,
            "type": envelope.type if envelope else None,
            "sender": envelope.sender if envelope else None,
            "subject": self.body.subject if self.body else None,
            "state": InboxState.REFUSED if refusal else InboxState.ACCEPTED,
            "code": refusal.code if refusal else None,
            "reason": refusal.message if refusal else None,
            "received_at": now,
        }

    def ack(self) -> Ack:
        if self.refusal is None:
            return Ack(seq=self.delivery.seq, status=AckStatus.ACCEPTED)
        return Ack(
            seq=self.delivery.seq,
            status=AckStatus.REFUSED,
            code=self.refusal.code,
            reason=self.refusal.message,
        )


def _check(network: Network, peer: str, delivery: Delivery, now: datetime) -> _Arrival:
    """Everything about an envelope that needs no database: form, signature, link, address."""
    arrival = _Arrival(delivery)
    try:
        arrival.envelope = envelope = Envelope.from_bytes(delivery.envelope)
        arrival.body = envelope.message()
        arrival.sender = sender = envelope.verify(network.bundle, now)
        office = network.office_of(peer)
        if office is None or office.name != sender.name:
            raise Refused(
                f"sent by {sender.name} but over the link of node {peer}", code="wrong_link"
            )
        arrival.addressees = [
            organisation
            for name in envelope.recipients
            if (organisation := network.directory.named(name)) and network.serves(organisation)
        ]
        if not arrival.addressees:
            raise Refused("no recipient of this envelope is served here", code="not_addressed_here")
    except Refused as exc:
        arrival.refusal = exc
    return arrival


def _refuse_replays(db: Session, arrivals: list[_Arrival]) -> None:
    """Refuse envelopes accepted before (or earlier in this batch) under another number."""
    ids = [envelope.id for a in arrivals if (envelope := a.accepted) is not None]
    seen: set[str | None] = set()
    for chunk in range(0, len(ids), 500):
        seen.update(
            db.scalars(
                select(InboxEnvelope.envelope_id).where(
                    InboxEnvelope.envelope_id.in_(ids[chunk : chunk + 500]),
                    InboxEnvelope.state == InboxState.ACCEPTED,
                )
            )
        )
    for arrival in arrivals:
        if (envelope := arrival.accepted) is None:
            continue
        if envelope.id in seen:
            arrival.refusal = Refused(
                f"envelope {envelope.id} was received before", code="replayed"
            )
        seen.add(envelope.id)


def _apply(db: Session, handlers: Handlers, arrival: _Arrival, inbox_id: int) -> None:
    """Run the handlers; a handler's refusal undoes its work and refuses the envelope."""
    envelope, body, sender = arrival.envelope, arrival.body, arrival.sender
    assert envelope is not None and body is not None and sender is not None
    received = Received(inbox_id, envelope, body, sender, arrival.addressees)
    try:
        with db.begin_nested():
            handlers(db, received)
        return
    except (IpfedError, ExchangeError, LedgerError) as exc:
        arrival.refusal = Refused(f"not applied: {exc.message}", code=exc.code)
    except ValidationError as exc:
        arrival.refusal = Refused(f"not applied: {exc}", code="invalid_content")
    db.execute(
        update(InboxEnvelope)
        .where(InboxEnvelope.id == inbox_id)
        .values(state=InboxState.REFUSED, code=arrival.refusal.code, reason=arrival.refusal.message)
        .execution_options(synchronize_session=False)
    )


def _again(db: Session, peer: str, delivery: Delivery) -> Ack:
    """The answer to a delivery already taken: the same one as the first time."""
    seen = db.scalar(
        select(InboxEnvelope).where(InboxEnvelope.peer == peer, InboxEnvelope.seq == delivery.seq)
    )
    if seen is None or seen.data != delivery.envelope:
        return Ack(
            seq=delivery.seq,
            status=AckStatus.REFUSED,
            code="out_of_order",
            reason="another envelope, or none, was received under this sequence number",
        )
    if seen.state is InboxState.ACCEPTED:
        return Ack(seq=delivery.seq, status=AckStatus.DUPLICATE)
    return Ack(seq=delivery.seq, status=AckStatus.REFUSED, code=seen.code, reason=seen.reason)


# --- the sending side's bookkeeping ----------------------------------------


@dataclass(frozen=True)
class Batch:
    deliveries: list[Delivery]
    retry_at: datetime | None  # set: the link is backing off until then


def due(db: Session, peer: str, limit: int, now: datetime | None = None) -> Batch:
    """The next deliveries to ``peer``, in order, unless the link is backing off."""
    link = db.get(PeerLink, peer)
    if link is not None and link.retry_at is not None and link.retry_at > (now or utcnow()):
        return Batch([], link.retry_at)
    rows = db.execute(
        select(QueuedDelivery.seq, OutboxEnvelope.data)
        .join(OutboxEnvelope, OutboxEnvelope.id == QueuedDelivery.envelope_id)
        .where(QueuedDelivery.peer == peer, QueuedDelivery.state == DeliveryState.PENDING)
        .order_by(QueuedDelivery.seq)
        .limit(limit)
    )
    return Batch([Delivery(seq, data) for seq, data in rows], None)


def record_acks(db: Session, peer: str, acks: Sequence[Ack], now: datetime | None = None) -> None:
    now = now or utcnow()
    link_of(db, peer, failures=0, retry_at=None, last_error=None, last_sent_at=now)
    delivered = [a.seq for a in acks if a.status is not AckStatus.REFUSED]
    pending = (QueuedDelivery.peer == peer, QueuedDelivery.state == DeliveryState.PENDING)
    for chunk in range(0, len(delivered), 500):
        db.execute(
            update(QueuedDelivery)
            .where(*pending, QueuedDelivery.seq.in_(delivered[chunk : chunk + 500]))
            .values(
                state=DeliveryState.DELIVERED,
                delivered_at=now,
                attempts=QueuedDelivery.attempts + 1,
            )
        )
    for ack in acks:
        if ack.status is AckStatus.REFUSED:
            db.execute(
                update(QueuedDelivery)
                .where(*pending, QueuedDelivery.seq == ack.seq)
                .values(
                    state=DeliveryState.DEAD,
                    attempts=QueuedDelivery.attempts + 1,
                    code=ack.code or "refused",
                    reason=f"refused by {peer}: {ack.reason or ''}",
                )
            )


def record_failure(
    db: Session,
    peer: str,
    seqs: Sequence[int],
    error: str,
    *,
    max_backoff: float,
    now: datetime | None = None,
) -> datetime:
    """Count a failed attempt and back the link off exponentially; returns when to retry."""
    now = now or utcnow()
    link = link_of(db, peer, failures=PeerLink.failures + 1, last_error=error)
    backoff = min(max_backoff, RETRY_FIRST_SECONDS * 2 ** (link.failures - 1))
    link.retry_at = now + timedelta(seconds=backoff * random.uniform(0.8, 1.0))
    db.execute(
        update(QueuedDelivery)
        .where(QueuedDelivery.peer == peer, QueuedDelivery.seq.in_(list(seqs)))
        .values(attempts=QueuedDelivery.attempts + 1)
    )
    return link.retry_at


def retry(*, db: Session, envelope_id: str) -> int:
    """Queue an envelope's dead deliveries again, at the end of their links; returns how many."""
    dead = db.scalars(
        select(QueuedDelivery).where(
            QueuedDelivery.envelope_id == envelope_id, QueuedDelivery.state == DeliveryState.DEAD
        )
    ).all()
    for delivery in dead:
        db.execute(
            update(QueuedDelivery)
            .where(QueuedDelivery.peer == delivery.peer, QueuedDelivery.seq == delivery.seq)
            .values(
                seq=next_seq(db, delivery.peer),
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
        update(QueuedDelivery)
        .where(
            QueuedDelivery.envelope_id == envelope_id,
            QueuedDelivery.state == DeliveryState.PENDING,
        )
        .values(state=DeliveryState.DEAD, code="given_up", reason=reason)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def counts(db: Session) -> dict[tuple[str, DeliveryState], int]:
    """Deliveries per peer and state."""
    rows = db.execute(
        select(QueuedDelivery.peer, QueuedDelivery.state, func.count()).group_by(
            QueuedDelivery.peer, QueuedDelivery.state
        )
    )
    return {(peer, state): n for peer, state, n in rows}
