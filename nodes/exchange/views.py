"""What people read of the exchange: inbox, outbox, dead letters, links, threads.

An organisation other than an office sees only the envelopes addressed to it
(the enforcement authority's queue of leads, for one); offices see everything.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ipfed.exchange.envelope import Envelope
from ipfed.exchange.messages import (
    ClueTransfer,
    CrossBorderAlert,
    Lead,
    LeadFeedback,
    LeadPush,
    MessageType,
)
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.errors import NotFound
from ipfed.nodes.exchange.models import (
    Addressee,
    DeliveryState,
    InboxEnvelope,
    InboxState,
    OutboxDelivery,
    OutboxEnvelope,
    PeerLink,
)
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.exchange.schemas import (
    DeadLetter,
    DeliveryOut,
    FeedbackIn,
    InboxItem,
    LinkStatus,
    OutboxItem,
    Thread,
)
from ipfed.nodes.exchange.service import counts, send

LEADS = (MessageType.LEAD_PUSH, MessageType.CLUE_TRANSFER)


def inbox_item(row: InboxEnvelope) -> InboxItem:
    item = InboxItem.model_validate(row)
    if row.state is InboxState.ACCEPTED and row.data:  # empty: erased (nodes/privacy)
        item.envelope = Envelope.from_bytes(row.data)
    return item


def _visible(query: Select[InboxEnvelope], organisation: str | None) -> Select[InboxEnvelope]:
    if organisation is None:
        return query
    return query.join(Addressee, Addressee.inbox_id == InboxEnvelope.id).where(
        Addressee.organisation == organisation
    )


def inbox(
    *,
    db: Session,
    organisation: str | None,
    type: MessageType | None = None,
    state: InboxState | None = None,
    subject: str | None = None,
    after: int | None = None,
    limit: int = 50,
) -> Sequence[InboxEnvelope]:
    """Received envelopes in the order of reception (``organisation``: only those to it)."""
    query = _visible(select(InboxEnvelope), organisation)
    if type is not None:
        query = query.where(InboxEnvelope.type == type)
    if state is not None:
        query = query.where(InboxEnvelope.state == state)
    if subject is not None:
        query = query.where(InboxEnvelope.subject == subject)
    if after is not None:
        query = query.where(InboxEnvelope.id > after)
    return db.scalars(query.order_by(InboxEnvelope.id).limit(limit)).all()


def received(*, db: Session, inbox_id: int, organisation: str | None) -> InboxEnvelope:
    query = _visible(select(InboxEnvelope).where(InboxEnvelope.id == inbox_id), organisation)
    row = db.scalar(query)
    if row is None:
        raise NotFound(f"no envelope {inbox_id} in the inbox for you", code="no_envelope")
    return row


def outbox(
    *,
    db: Session,
    state: DeliveryState | None = None,
    type: MessageType | None = None,
    subject: str | None = None,
    after: str | None = None,
    limit: int = 50,
) -> list[OutboxItem]:
    """Sent envelopes, oldest first, with where each delivery stands."""
    query = select(OutboxEnvelope)
    if state is not None:
        with_state = select(OutboxDelivery.envelope_id).where(OutboxDelivery.state == state)
        query = query.where(OutboxEnvelope.id.in_(with_state))
    if type is not None:
        query = query.where(OutboxEnvelope.type == type)
    if subject is not None:
        query = query.where(OutboxEnvelope.subject == subject)
    if after is not None:
        query = query.where(OutboxEnvelope.id > after)
    rows = db.scalars(query.order_by(OutboxEnvelope.id).limit(limit)).all()
    deliveries: dict[str, list[DeliveryOut]] = {row.id: [] for row in rows}
    for delivery in db.scalars(
        select(OutboxDelivery)
        .where(OutboxDelivery.envelope_id.in_(deliveries))
        .order_by(OutboxDelivery.peer)
    ):
        deliveries[delivery.envelope_id].append(DeliveryOut.model_validate(delivery))
    return [
        OutboxItem(
            id=row.id,
            type=row.type,
            subject=row.subject,
            recipients=row.recipients,
            created_at=row.created_at,
            deliveries=deliveries[row.id],
        )
        for row in rows
    ]


def dead_letters(
    *, db: Session, after: tuple[str, str] | None = None, limit: int = 100
) -> list[DeadLetter]:
    """Dead deliveries, oldest envelope first, from just after ``(envelope_id, peer)``."""
    query = (
        select(OutboxDelivery, OutboxEnvelope)
        .join(OutboxEnvelope, OutboxEnvelope.id == OutboxDelivery.envelope_id)
        .where(OutboxDelivery.state == DeliveryState.DEAD)
    )
    if after is not None:
        envelope_id, peer = after
        query = query.where(
            or_(
                OutboxDelivery.envelope_id > envelope_id,
                and_(OutboxDelivery.envelope_id == envelope_id, OutboxDelivery.peer > peer),
            )
        )
    rows = db.execute(query.order_by(OutboxDelivery.envelope_id, OutboxDelivery.peer).limit(limit))
    return [
        DeadLetter(
            envelope_id=envelope.id,
            type=envelope.type,
            subject=envelope.subject,
            peer=delivery.peer,
            seq=delivery.seq,
            attempts=delivery.attempts,
            code=delivery.code,
            reason=delivery.reason,
            queued_at=delivery.queued_at,
        )
        for delivery, envelope in rows
    ]


def links(*, db: Session, network: Network, endpoint: str | None) -> list[LinkStatus]:
    """Each link's state: what waits, what failed, and when it last worked."""
    per_state = counts(db=db)
    oldest = dict(
        db.execute(
            select(OutboxDelivery.peer, func.min(OutboxDelivery.queued_at))
            .where(OutboxDelivery.state == DeliveryState.PENDING)
            .group_by(OutboxDelivery.peer)
        ).all()
    )
    statuses = []
    for peer in [network.node_id, *network.peers]:
        link = db.get(PeerLink, peer)
        remote = network.peers.get(peer)
        statuses.append(
            LinkStatus(
                peer=peer,
                endpoint=remote.exchange_endpoint if remote else endpoint,
                key_known=remote is None or bool(link and link.link_key),
                pending=per_state.get((peer, DeliveryState.PENDING), 0),
                delivered=per_state.get((peer, DeliveryState.DELIVERED), 0),
                dead=per_state.get((peer, DeliveryState.DEAD), 0),
                oldest_pending_at=oldest.get(peer),
                failures=link.failures if link else 0,
                retry_at=link.retry_at if link else None,
                last_error=link.last_error if link else None,
                last_sent_at=link.last_sent_at if link else None,
                last_received_at=link.last_received_at if link else None,
            )
        )
    return statuses


def thread(*, db: Session, subject: str, organisation: str | None) -> Thread:
    """A subject's envelopes: those sent (offices only) and those received."""
    sent: list[Envelope] = []
    if organisation is None:
        rows = db.scalars(
            select(OutboxEnvelope)
            .where(OutboxEnvelope.subject == subject)
            .order_by(OutboxEnvelope.id)
        )
        sent = [Envelope.from_bytes(row.data) for row in rows if row.data]
    got = [
        inbox_item(row)
        for row in inbox(
            db=db,
            organisation=organisation,
            subject=subject,
            state=InboxState.ACCEPTED,
            limit=1000,
        )
    ]
    if not sent and not got:
        raise NotFound(f"nothing about {subject} here for you", code="no_thread")
    return Thread(subject=subject, sent=sent, received=got)


def report_feedback(
    *,
    db: Session,
    network: Network,
    lead_id: str,
    handled_by: str,
    organisation: str | None,
    feedback: FeedbackIn,
    now: datetime | None = None,
) -> list[Envelope]:
    """Send the result of handling a lead back to whoever pushed it (and to the record)."""
    pushes = [
        row
        for row in inbox(
            db=db,
            organisation=organisation,
            subject=lead_id,
            state=InboxState.ACCEPTED,
            limit=1000,
        )
        if row.type in LEADS
    ]
    if not pushes:
        raise NotFound(f"no lead {lead_id} was pushed to {handled_by}", code="no_lead")
    body = LeadFeedback(
        lead_id=lead_id,
        found_by=pushes[0].sender or "",
        handled_by=handled_by,
        outcome=feedback.outcome,
        detail=feedback.detail,
        case_number=feedback.case_number,
        handled_at=feedback.handled_at or now or utcnow(),
    )
    return send(db=db, network=network, body=body, now=now)


# --- the leads routed to an organisation, as it works through them -------------

# What reaches an organisation that acts on leads: a push, a transferred clue, and (for
# the overseas centres) a cross-border alert about a lead.
ROUTED = (*LEADS, MessageType.CROSS_BORDER_ALERT)


@dataclass(frozen=True)
class Routed:
    """A lead as an organisation received it, and the outcome it has reported."""

    row: InboxEnvelope
    envelope: Envelope
    lead: Lead
    note: str  # the push's note, the transfer's reason or the alert's summary
    outcome: LeadFeedback | None

    @property
    def answerable(self) -> bool:
        """An outcome is reported on a pushed or transferred lead (an alert informs)."""
        return self.row.type in LEADS

    @property
    def state(self) -> str:
        return self.outcome.outcome.value if self.outcome else "awaiting_outcome"


def _routed_rows(organisation: str | None) -> Select[InboxEnvelope]:
    query = select(InboxEnvelope).where(
        InboxEnvelope.type.in_(ROUTED), InboxEnvelope.state == InboxState.ACCEPTED
    )
    return _visible(query, organisation)


def _opened(row: InboxEnvelope, outcome: LeadFeedback | None) -> Routed | None:
    """The lead an envelope carries; None when erased (nodes/privacy) or an alert has none."""
    if not row.data:
        return None
    envelope = Envelope.from_bytes(row.data)
    body = envelope.message()
    if isinstance(body, LeadPush):
        return Routed(row, envelope, body.lead, body.note, outcome)
    if isinstance(body, ClueTransfer):
        return Routed(row, envelope, body.lead, body.reason, outcome)
    if isinstance(body, CrossBorderAlert) and body.lead is not None:
        return Routed(row, envelope, body.lead, body.summary, outcome)
    return None


def outcomes(*, db: Session, handled_by: str, lead_ids: Sequence[str]) -> dict[str, LeadFeedback]:
    """The latest outcome ``handled_by`` reported on each lead (the feedback it sent)."""
    rows = db.scalars(
        select(OutboxEnvelope)
        .where(
            OutboxEnvelope.type == MessageType.LEAD_FEEDBACK,
            OutboxEnvelope.subject.in_(lead_ids),
        )
        .order_by(OutboxEnvelope.id)  # ULIDs: in the order they were sent
    )
    found: dict[str, LeadFeedback] = {}
    for row in rows:
        body = Envelope.from_bytes(row.data).message() if row.data else None
        if isinstance(body, LeadFeedback) and body.handled_by == handled_by:
            found[body.lead_id] = body
    return found


def routed_leads(
    *,
    db: Session,
    organisation: str | None,
    handled_by: str,
    before: int | None = None,
    limit: int = 25,
) -> tuple[list[Routed], int | None]:
    """Leads routed to ``organisation`` (None: to anyone here), newest first, from just
    before inbox row ``before``; and the cursor of the next page (None: no more)."""
    query = _routed_rows(organisation)
    if before is not None:
        query = query.where(InboxEnvelope.id < before)
    rows = db.scalars(query.order_by(InboxEnvelope.id.desc()).limit(limit)).all()
    reported = outcomes(db=db, handled_by=handled_by, lead_ids=[r.subject or "" for r in rows])
    leads = [
        routed
        for row in rows
        if (routed := _opened(row, reported.get(row.subject or ""))) is not None
    ]
    return leads, (rows[-1].id if len(rows) == limit else None)


def routed_lead(*, db: Session, organisation: str | None, handled_by: str, lead_id: str) -> Routed:
    """The latest envelope routing lead ``lead_id`` to ``organisation``, with its outcome."""
    rows = db.scalars(
        _routed_rows(organisation)
        .where(InboxEnvelope.subject == lead_id)
        .order_by(InboxEnvelope.id.desc())
    ).all()
    reported = outcomes(db=db, handled_by=handled_by, lead_ids=[lead_id]).get(lead_id)
    for row in rows:
        if (routed := _opened(row, reported)) is not None:
            return routed
    raise NotFound(f"no lead {lead_id} was routed to {handled_by}", code="no_lead")
