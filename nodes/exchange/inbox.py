"""Receiving: a batch from an authenticated peer is checked, stored in the inbox
with each envelope's outcome, and handed to the handlers in the same
transaction, so that a duplicate is recognised and applied only once, in the
order the peer sent it."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ipfed.exchange.envelope import Envelope
from ipfed.exchange.errors import ExchangeError, Refused
from ipfed.exchange.messages import Body
from ipfed.exchange.transport import Ack, AckStatus, Delivery
from ipfed.ledger.errors import LedgerError
from ipfed.ledger.identity import Organisation
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.exchange.handlers import Handlers, Received
from ipfed.nodes.exchange.models import Addressee, InboxEnvelope, InboxState
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.exchange.service import link_of


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
    link = link_of(db=db, peer=peer, last_received_at=now)
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
        envelope, arrival.body = Envelope.opened(delivery.envelope)
        arrival.envelope = envelope
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
