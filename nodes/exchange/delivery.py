"""The delivery loop's bookkeeping: what is due on a link, and what its peer answered."""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ipfed.exchange.transport import Ack, AckStatus, Delivery
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.exchange.models import DeliveryState, OutboxDelivery, OutboxEnvelope, PeerLink
from ipfed.nodes.exchange.service import link_of

RETRY_FIRST_SECONDS = 0.25


@dataclass(frozen=True)
class Batch:
    deliveries: list[Delivery]
    retry_at: datetime | None  # set: the link is backing off until then


def due(*, db: Session, peer: str, limit: int, now: datetime | None = None) -> Batch:
    """The next deliveries to ``peer``, in order, unless the link is backing off."""
    link = db.get(PeerLink, peer)
    if link is not None and link.retry_at is not None and link.retry_at > (now or utcnow()):
        return Batch([], link.retry_at)
    rows = db.execute(
        select(OutboxDelivery.seq, OutboxEnvelope.data)
        .join(OutboxEnvelope, OutboxEnvelope.id == OutboxDelivery.envelope_id)
        .where(OutboxDelivery.peer == peer, OutboxDelivery.state == DeliveryState.PENDING)
        .order_by(OutboxDelivery.seq)
        .limit(limit)
    )
    return Batch([Delivery(seq, data) for seq, data in rows], None)


def record_acks(
    *, db: Session, peer: str, acks: Sequence[Ack], now: datetime | None = None
) -> None:
    now = now or utcnow()
    link_of(db=db, peer=peer, failures=0, retry_at=None, last_error=None, last_sent_at=now)
    delivered = [a.seq for a in acks if a.status is not AckStatus.REFUSED]
    pending = (OutboxDelivery.peer == peer, OutboxDelivery.state == DeliveryState.PENDING)
    for chunk in range(0, len(delivered), 500):
        db.execute(
            update(OutboxDelivery)
            .where(*pending, OutboxDelivery.seq.in_(delivered[chunk : chunk + 500]))
            .values(
                state=DeliveryState.DELIVERED,
                delivered_at=now,
                attempts=OutboxDelivery.attempts + 1,
            )
        )
    for ack in acks:
        if ack.status is AckStatus.REFUSED:
            db.execute(
                update(OutboxDelivery)
                .where(*pending, OutboxDelivery.seq == ack.seq)
                .values(
                    state=DeliveryState.DEAD,
                    attempts=OutboxDelivery.attempts + 1,
                    code=ack.code or "refused",
                    reason=f"refused by {peer}: {ack.reason or ''}",
                )
            )


def record_failure(
    *,
    db: Session,
    peer: str,
    seqs: Sequence[int],
    error: str,
    max_backoff: float,
    now: datetime | None = None,
) -> datetime:
    """Count a failed attempt and back the link off exponentially; returns when to retry."""
    now = now or utcnow()
    link = link_of(db=db, peer=peer, failures=PeerLink.failures + 1, last_error=error)
    backoff = min(max_backoff, RETRY_FIRST_SECONDS * 2 ** (link.failures - 1))
    link.retry_at = now + timedelta(seconds=backoff * random.uniform(0.8, 1.0))
    db.execute(
        update(OutboxDelivery)
        .where(OutboxDelivery.peer == peer, OutboxDelivery.seq.in_(list(seqs)))
        .values(attempts=OutboxDelivery.attempts + 1)
    )
    return link.retry_at
