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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ipfed.exchange.envelope import Envelope, seal
from ipfed.exchange.errors import ExchangeError, Refused
from ipfed.exchange.messages import Body
from ipfed.exchange.routing import route
from ipfed.exchange.transport import Ack, AckStatus, Delivery
from ipfed.ledger.errors import LedgerError
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


def next_seq(db: Session, peer: str) -> int:
    """The link's next sequence number. The row stays locked until commit, so that
    deliveries to a peer are committed in the order of their numbers."""
    link_of(db, peer)
    statement = (
        update(PeerLink)
        .where(PeerLink.peer == peer)
        .values(next_seq=PeerLink.next_seq + 1)
        .returning(PeerLink.next_seq)
    )
    return int(db.execute(statement).scalar_one()) - 1


def send(
    *,
    db: Session,
    network: Network,
    body: Body,
    receipt: Receipt | None = None,
    now: datetime | None = None,
) -> list[Envelope]:
    """Route ``body``, sign and queue every resulting envelope; returns them.

    Raises :class:`~ipfed.exchange.errors.Unroutable` when a recipient has no
    node to reach it through; nothing is queued then.
    """
    now = now or utcnow()
    envelopes = []
    for dispatch in route(body, network.organisation, network.directory):
        nodes = sorted({network.node_serving(o) for o in dispatch.recipients})
        envelope = seal(
            dispatch.body,
            recipients=dispatch.recipients,
            key=network.key,
            certificate=network.certificate,
            sender=network.organisation,
            now=now,
            receipt=receipt if dispatch.body.anchor() is not None else None,
        )
        queue(db=db, envelope=envelope, subject=dispatch.body.subject, nodes=nodes, now=now)
        envelopes.append(envelope)
    return envelopes


def queue(
    *,
    db: Session,
    envelope: Envelope,
    subject: str,
    nodes: Sequence[str],
    now: datetime,
) -> None:
    """Store a sealed envelope and queue it for each of ``nodes``, in link order."""
    db.add(
        OutboxEnvelope(
            id=envelope.id,
            type=envelope.type,
            subject=subject,
            recipients=envelope.recipients,
            data=envelope.to_bytes(),
            created_at=now,
        )
    )
    db.flush()
    for node in nodes:
        db.add(
            QueuedDelivery(
                peer=node,
                seq=next_seq(db, node),
                envelope_id=envelope.id,
                state=DeliveryState.PENDING,
                attempts=0,
                queued_at=now,
            )
        )
    db.flush()


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
    acks = []
    for delivery in deliveries:
        if delivery.seq <= link.received_seq:
            acks.append(_again(db, peer, delivery))
            continue
        link.received_seq = delivery.seq
        row = InboxEnvelope(peer=peer, seq=delivery.seq, data=delivery.envelope, received_at=now)
        try:
            _accept(db, network, handlers, peer, row, now)
        except Refused as exc:
            row.state, row.code, row.reason = InboxState.REFUSED, exc.code, exc.message
            db.add(row)
            acks.append(
                Ack(seq=delivery.seq, status=AckStatus.REFUSED, code=exc.code, reason=exc.message)
            )
            continue
        acks.append(Ack(seq=delivery.seq, status=AckStatus.ACCEPTED))
    return acks


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


def _accept(
    db: Session, network: Network, handlers: Handlers, peer: str, row: InboxEnvelope, now: datetime
) -> None:
    envelope = Envelope.from_bytes(row.data)
    row.envelope_id, row.type, row.sender = envelope.id, envelope.type, envelope.sender
    body = envelope.message()
    row.subject = body.subject
    sender = envelope.verify(network.bundle, now)
    office = network.office_of(peer)
    if office is None or office.name != sender.name:
        raise Refused(f"sent by {sender.name} but over the link of node {peer}", code="wrong_link")
    addressees = [
        organisation
        for name in envelope.recipients
        if (organisation := network.directory.named(name)) and network.serves(organisation)
    ]
    if not addressees:
        raise Refused("no recipient of this envelope is served here", code="not_addressed_here")
    accepted_before = select(InboxEnvelope.id).where(
        InboxEnvelope.envelope_id == envelope.id, InboxEnvelope.state == InboxState.ACCEPTED
    )
    if db.scalar(accepted_before.limit(1)) is not None:
        raise Refused(f"envelope {envelope.id} was received before", code="replayed")
    row.state = InboxState.ACCEPTED
    db.add(row)
    db.flush()
    if envelope.type in handlers:
        try:
            with db.begin_nested():
                handlers(db, Received(row.id, envelope, body, sender, addressees))
        except (IpfedError, ExchangeError, LedgerError) as exc:
            raise Refused(f"not applied: {exc.message}", code=exc.code) from None
        except ValidationError as exc:
            raise Refused(f"not applied: {exc}", code="invalid_content") from None
    db.add_all(Addressee(inbox_id=row.id, organisation=o.name) for o in addressees)


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
