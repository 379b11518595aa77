"""Envelopes that carry personal data (a lead names its seller and shop), as this node
sent them (outbox) and received them (inbox): their signed bytes are emptied once
erased, as a signed envelope cannot lose a field and still verify. The record of the
envelope (its id, type, subject, peers and states) stays."""

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select, true, update
from sqlalchemy.orm import Session

from ipfed.exchange.messages import MessageType
from ipfed.nodes.exchange.models import (
    DeliveryState,
    InboxEnvelope,
    OutboxDelivery,
    OutboxEnvelope,
)

# The messages that name a seller, a shop or a booth.
PERSONAL = tuple(
    t.value
    for t in (
        MessageType.LEAD_PUSH,
        MessageType.LEAD_RECORD,
        MessageType.CLUE_TRANSFER,
        MessageType.CROSS_BORDER_ALERT,
        MessageType.EXHIBIT_ALERT,
    )
)


def _personal_inbox() -> ColumnElement[bool]:
    # An envelope that could not be parsed has no type: it may hold anything.
    return or_(InboxEnvelope.type.in_(PERSONAL), InboxEnvelope.type.is_(None))


def expired(
    *,
    db: Session,
    before: datetime,
    limit: int,
    after: tuple[str | None, int | None] = (None, None),
) -> tuple[Sequence[str], Sequence[int]]:
    """Envelopes with personal data sent or received before ``before``, not yet erased:
    outbox ones only once every delivery of theirs was delivered (a pending or dead one
    may still be sent, or sent again). ``after``: the last ids of each already seen."""
    sent_after, received_after = after
    unsettled = exists().where(
        OutboxDelivery.envelope_id == OutboxEnvelope.id,
        OutboxDelivery.state != DeliveryState.DELIVERED,
    )
    sent = db.scalars(
        select(OutboxEnvelope.id)
        .where(
            OutboxEnvelope.type.in_(PERSONAL),
            OutboxEnvelope.created_at < before,
            func.length(OutboxEnvelope.data) > 0,
            ~unsettled,
            OutboxEnvelope.id > sent_after if sent_after is not None else true(),
        )
        .order_by(OutboxEnvelope.id)
        .limit(limit)
    ).all()
    received = db.scalars(
        select(InboxEnvelope.id)
        .where(
            _personal_inbox(),
            InboxEnvelope.received_at < before,
            func.length(InboxEnvelope.data) > 0,
            InboxEnvelope.id > received_after if received_after is not None else true(),
        )
        .order_by(InboxEnvelope.id)
        .limit(limit)
    ).all()
    return sent, received


def naming(
    *, db: Session, names: set[str], shops: set[tuple[str, str]]
) -> tuple[list[str], list[int]]:
    """Envelopes not yet erased whose lead names one of ``names`` or ``shops``."""
    sent = db.execute(
        select(OutboxEnvelope.id, OutboxEnvelope.data).where(
            OutboxEnvelope.type.in_(PERSONAL), func.length(OutboxEnvelope.data) > 0
        )
    ).yield_per(500)
    received = db.execute(
        select(InboxEnvelope.id, InboxEnvelope.data).where(
            _personal_inbox(), func.length(InboxEnvelope.data) > 0
        )
    ).yield_per(500)
    return (
        [id for id, data in sent if _names(data, names, shops)],
        [id for id, data in received if _names(data, names, shops)],
    )


def erase(
    *, db: Session, sent: Iterable[str], received: Iterable[int], why: str | None = None
) -> int:
    """Empty these envelopes; with ``why``, their deliveries still to be sent, or sent
    again, are given up for that reason. How many envelopes were emptied."""
    sent, received = list(sent), list(received)
    erased = 0
    if sent:
        if why is not None:
            db.execute(
                update(OutboxDelivery)
                .where(
                    OutboxDelivery.envelope_id.in_(sent),
                    OutboxDelivery.state != DeliveryState.DELIVERED,
                )
                .values(state=DeliveryState.DEAD, code="erased", reason=why)
                .execution_options(synchronize_session=False)
            )
        erased += _emptied(db, OutboxEnvelope, OutboxEnvelope.id.in_(sent))
    if received:
        erased += _emptied(db, InboxEnvelope, InboxEnvelope.id.in_(received))
    return erased


def _emptied(db: Session, model: Any, which: ColumnElement[bool]) -> int:
    result = db.execute(
        update(model)
        .where(which, func.length(model.data) > 0)
        .values(data=b"")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _names(data: bytes, names: set[str], shops: set[tuple[str, str]]) -> bool:
    try:
        envelope = json.loads(data)
    except ValueError:
        return False
    body = envelope.get("body") if isinstance(envelope, dict) else None
    lead = body.get("lead") if isinstance(body, dict) else None
    if not isinstance(lead, dict):
        return False
    shop: Any = lead.get("shop") or {}
    named = (shop.get("platform"), shop.get("shop_id")) if isinstance(shop, dict) else None
    return lead.get("seller") in names or named in shops
