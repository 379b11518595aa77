"""The office's work queue: one list of everything a reviewer must look at.

An item of the queue is not a record of its own: it is a view of the record that
needs a reviewer (a detector's lead waiting for review, today), built by one small
source per kind (:data:`SOURCES`). A later kind (a complaint, a spot-check failure, a
clone alert, a flagged exhibit, a lead received from another node) adds its source
and its :class:`ItemKind`; the page, the filters, claims and decisions stay the same.

What the records themselves cannot hold is who is working on an item: that is a
:class:`~ipfed.nodes.queue.models.Claim` (the item's kind and id, the person, who
assigned it and when), stored apart so no kind's table grows a column for it, and
dropped when the item is decided. Decisions go through each kind's own service (a
lead's through :func:`ipfed.nodes.detection.service.review_lead`), never around it.

The queue is ordered by priority (highest first), then kind, then id: a total order,
so each source pages itself from the same position and the queue takes the first
``limit`` of their union.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from ipfed.exchange.messages import LeadKind
from ipfed.ledger.identity import OFFICES
from ipfed.ledger.protocol import Ledger
from ipfed.nodes.accounts.models import Account
from ipfed.nodes.accounts.person import Person
from ipfed.nodes.detection import service as detection
from ipfed.nodes.detection.models import Decision, Lead
from ipfed.nodes.errors import Conflict, Forbidden, InvalidInput, NotFound
from ipfed.nodes.queue.models import Claim


class ItemKind(StrEnum):
    """What an item of the queue is. Later work adds complaints, spot-check failures,
    clone alerts, flagged exhibits and leads received from other nodes."""

    DETECTOR_LEAD = "detector_lead"


UNCLAIMED = "unclaimed"  # the assignee filter for items nobody has claimed


@dataclass(frozen=True)
class Filters:
    kind: ItemKind | None = None
    detector: LeadKind | None = None
    region: str | None = None  # a region code or its prefix (31: all of Shanghai)
    task: str | None = None
    min_priority: float | None = None
    older_than_days: int | None = None
    assignee: str | None = None  # an account id, or UNCLAIMED


@dataclass(frozen=True)
class Position:
    """Where a page of the queue ends: the last item's priority, kind and id."""

    priority: float
    kind: ItemKind
    item_id: str

    def cursor(self) -> str:
        return f"{self.priority!r}~{self.kind.value}~{self.item_id}"

    @classmethod
    def parse(cls, cursor: str) -> "Position":
        try:
            priority, kind, item_id = cursor.split("~")
            return cls(float(priority), ItemKind(kind), item_id)
        except ValueError:
            raise InvalidInput("not a cursor of the queue", code="bad_cursor") from None


@dataclass(frozen=True)
class QueueItem:
    """One thing a reviewer must look at."""

    kind: ItemKind
    id: str
    title: str  # what the item is about, as captured (a listing's title)
    detector: LeadKind | None
    right_ref: str | None
    region_code: str | None
    task_id: str | None
    priority: float
    status: str
    created_at: datetime
    claim: Claim | None

    @property
    def key(self) -> str:
        """The item's name in forms: ``kind:id``."""
        return f"{self.kind.value}:{self.id}"

    @property
    def position(self) -> Position:
        return Position(self.priority, self.kind, self.id)


@dataclass(frozen=True)
class Decided:
    """What a reviewer decided on an item, and who."""

    decision: Decision
    reason: str
    reviewer: str  # the organisation
    person: Person
    ledger: Ledger


@dataclass(frozen=True)
class Source:
    """One kind of item: its open items in queue order, whether one is open, and how
    a decision on it is taken (by that kind's own service)."""

    items: Callable[[Session, Filters, datetime, Position | None, int], Sequence[QueueItem]]
    is_open: Callable[[Session, str], bool]
    decide: Callable[[Session, str, Decided], None]


def _claims(db: Session, kind: ItemKind, ids: Sequence[str]) -> dict[str, Claim]:
    found = db.scalars(select(Claim).where(Claim.kind == kind.value, Claim.item_id.in_(ids)))
    return {claim.item_id: claim for claim in found}


def _after_lead(position: Position) -> ColumnElement[bool]:
    kind = ItemKind.DETECTOR_LEAD
    later_same = and_(Lead.priority == position.priority, Lead.id > position.item_id)
    if kind.value > position.kind.value:
        return Lead.priority <= position.priority
    if kind.value < position.kind.value:
        return Lead.priority < position.priority
    return or_(Lead.priority < position.priority, later_same)


def _lead_items(
    db: Session, filters: Filters, now: datetime, after: Position | None, limit: int
) -> Sequence[QueueItem]:
    kind = ItemKind.DETECTOR_LEAD
    query = select(Lead).where(Lead.status.in_(detection.OPEN))
    if filters.detector is not None:
        query = query.where(Lead.kind == filters.detector)
    if filters.region:
        query = query.where(Lead.region_code.startswith(filters.region, autoescape=True))
    if filters.task:
        query = query.where(Lead.task_id == filters.task)
    if filters.min_priority is not None:
        query = query.where(Lead.priority >= filters.min_priority)
    if filters.older_than_days is not None:
        query = query.where(Lead.created_at <= now - timedelta(days=filters.older_than_days))
    if filters.assignee is not None:
        claimed = select(Claim.item_id).where(Claim.kind == kind.value)
        if filters.assignee == UNCLAIMED:
            query = query.where(Lead.id.not_in(claimed))
        else:
            query = query.where(Lead.id.in_(claimed.where(Claim.assignee_id == filters.assignee)))
    if after is not None:
        query = query.where(_after_lead(after))
    leads = db.scalars(query.order_by(Lead.priority.desc(), Lead.id).limit(limit)).all()
    claims = _claims(db, kind, [lead.id for lead in leads])
    return [
        QueueItem(
            kind=kind,
            id=lead.id,
            title=lead.listing.title,
            detector=lead.kind,
            right_ref=lead.right_ref,
            region_code=lead.region_code,
            task_id=lead.task_id,
            priority=lead.priority,
            status=lead.status.value,
            created_at=lead.created_at,
            claim=claims.get(lead.id),
        )
        for lead in leads
    ]


def _lead_is_open(db: Session, item_id: str) -> bool:
    lead = db.get(Lead, item_id)
    return lead is not None and lead.status in detection.OPEN


def _decide_lead(db: Session, item_id: str, decided: Decided) -> None:
    detection.review_lead(
        db=db,
        lead_id=item_id,
        reviewer=decided.reviewer,
        decision=decided.decision,
        reason=decided.reason,
        ledger=decided.ledger,
        person=decided.person,
    )


SOURCES: dict[ItemKind, Source] = {
    ItemKind.DETECTOR_LEAD: Source(_lead_items, _lead_is_open, _decide_lead),
}


def queue_page(
    *, db: Session, filters: Filters, now: datetime, after: str | None = None, limit: int = 50
) -> tuple[list[QueueItem], str | None]:
    """A page of the queue from just after the cursor ``after``; the next page's cursor."""
    position = Position.parse(after) if after else None
    kinds = [filters.kind] if filters.kind else list(ItemKind)
    items = [  # one more than a page: whether another page follows
        item
        for kind in kinds
        for item in SOURCES[kind].items(db, filters, now, position, limit + 1)
    ]
    items.sort(key=lambda item: (-item.priority, item.kind.value, item.id))
    shown = items[:limit]
    following = shown[-1].position.cursor() if len(items) > limit else None
    return shown, following


def parse_key(key: str) -> tuple[ItemKind, str]:
    """``kind:id`` -> (kind, id)."""
    kind, _, item_id = key.partition(":")
    try:
        return ItemKind(kind), item_id
    except ValueError:
        raise InvalidInput(f"no kind of queue item {kind!r}", code="bad_queue_item") from None


def _open_item(db: Session, kind: ItemKind, item_id: str) -> None:
    if not SOURCES[kind].is_open(db, item_id):
        raise NotFound(f"no open {kind.value} {item_id}", code="queue_item_not_found")


def office_person(*, db: Session, account_id: str, node_org: str) -> Account:
    """An active account of the node's own office: whom an item can be assigned to."""
    account = db.get(Account, account_id)
    if account is None or account.disabled_at is not None:
        raise NotFound(f"no active person {account_id}", code="person_not_found")
    if account.org != node_org or account.role not in OFFICES:
        raise Forbidden(f"{account.name} is not of this office", code="not_this_office")
    return account


def office_people(*, db: Session, node_org: str) -> Sequence[Account]:
    """The active people of the office, by name."""
    return db.scalars(
        select(Account)
        .where(Account.org == node_org, Account.role.in_(OFFICES), Account.disabled_at.is_(None))
        .order_by(Account.name)
    ).all()


def claim(*, db: Session, key: str, person: Person, now: datetime) -> Claim:
    """The person takes the item; refused while another person holds it."""
    kind, item_id = parse_key(key)
    _open_item(db, kind, item_id)
    held = db.get(Claim, (kind.value, item_id))
    if held is not None and held.assignee_id != person.id:
        raise Conflict(f"{held.assignee.name} holds this item", code="claimed_by_another")
    if held is None:
        held = Claim(kind=kind.value, item_id=item_id, assignee_id=person.id)
        db.add(held)
    held.assigned_by_id, held.claimed_at = person.id, now
    db.flush()
    return held


def assign(*, db: Session, key: str, assignee: Account, by: Person, now: datetime) -> Claim:
    """The office gives the item to one of its people (taking it from whoever held it)."""
    kind, item_id = parse_key(key)
    _open_item(db, kind, item_id)
    held = db.get(Claim, (kind.value, item_id))
    if held is None:
        held = Claim(kind=kind.value, item_id=item_id)
        db.add(held)
    held.assignee_id, held.assigned_by_id, held.claimed_at = assignee.id, by.id, now
    db.flush()
    db.refresh(held)
    return held


def claim_of(*, db: Session, key: str) -> Claim | None:
    kind, item_id = parse_key(key)
    return db.get(Claim, (kind.value, item_id))


def decide(*, db: Session, keys: Sequence[str], decided: Decided) -> int:
    """One decision with one reason on every item named: all of them, or none (the
    caller's transaction). A decided item leaves the queue, and its claim with it."""
    if not keys:
        raise InvalidInput("select at least one item", code="nothing_selected")
    for key in dict.fromkeys(keys):
        kind, item_id = parse_key(key)
        SOURCES[kind].decide(db, item_id, decided)
        if not SOURCES[kind].is_open(db, item_id):
            db.execute(delete(Claim).where(Claim.kind == kind.value, Claim.item_id == item_id))
    db.flush()
    return len(dict.fromkeys(keys))
