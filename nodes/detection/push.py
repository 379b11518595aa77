"""Confirmed leads go to the organisations that must act on them, over the exchange.

Every ``leads_push_seconds`` a running node queues a ``lead.push`` for each lead
confirmed since the last round, with the receipt of the lead's ledger record. The
envelopes enter the outbox in the transaction that marks the leads pushed: each lead is
queued once, and the exchange delivers it however long a peer is away. Routing
sends it to the enforcement side of the seller's region and on record to the
national office.
"""

import logging
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ipfed.exchange import messages
from ipfed.exchange.errors import Unroutable
from ipfed.ledger.protocol import Ledger, Pending
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import transaction, utcnow
from ipfed.nodes.detection.models import Lead, LeadStatus
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.exchange.service import send
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.rights.models import Right

log = logging.getLogger(__name__)


def lead_message(lead: Lead, *, holder: str | None, home_region: str) -> messages.Lead:
    """The lead as the exchange carries it. A seller that source tracing could not
    place is the finding office's to act on: its region stands in."""
    listing = lead.listing
    return messages.Lead(
        lead_id=lead.id,
        kind=messages.LeadKind(lead.kind.value),
        right_id=lead.right_ref,
        right_holder=holder,
        score=Decimal(str(round(min(max(lead.score, 0.0), 1.0), 4))),
        reasons=lead.reasons,
        seller=listing.seller,
        shop=(
            messages.Shop(platform=listing.source, shop_id=listing.seller_shop_id)
            if listing.seller_shop_id
            else None
        ),
        title=listing.title,
        url=listing.url,
        jurisdiction=lead.region_code or home_region,
        evidence_sha256=lead.evidence.sha256,
    )


def push_confirmed(
    *,
    db: Session,
    network: Network,
    ledger: Ledger,
    home_region: str,
    limit: int = 200,
) -> list[str]:
    """Queue a push for up to ``limit`` confirmed leads not pushed yet; their ids.

    A lead no node can be found for stays unpushed (and is logged) until the
    federation's peers include one.
    """
    leads = db.scalars(
        select(Lead)
        .where(
            Lead.status == LeadStatus.CONFIRMED,
            Lead.pushed_at.is_(None),
            Lead.ledger_position.is_not(None),
        )
        .order_by(Lead.id)
        .limit(limit)
    ).all()
    if not leads:
        return []
    holders: dict[str | None, str] = {
        right_id: holder
        for right_id, holder in db.execute(
            select(Right.id, Right.holder).where(Right.id.in_({lead.right_id for lead in leads}))
        )
    }
    now = utcnow()
    pushed = []
    for lead in leads:
        assert lead.ledger_position is not None
        body = messages.LeadPush(
            lead=lead_message(lead, holder=holders.get(lead.right_id), home_region=home_region)
        )
        try:
            receipt = ledger.receipt(lead.ledger_position)
        except Pending:  # the ledger cannot prove the record yet: a later round will
            continue
        try:
            send(db=db, network=network, body=body, receipt=receipt, now=now)
        except Unroutable as exc:
            log.warning("lead %s not pushed: %s", lead.id, exc.message)
            continue
        lead.pushed_at = now
        pushed.append(lead.id)
    db.flush()
    return pushed


def push_once(settings: NodeSettings, sessions: sessionmaker[Session], network: Network) -> None:
    with transaction(sessions) as db:
        pushed = push_confirmed(
            db=db,
            network=network,
            ledger=node_ledger(db=db, settings=settings),
            home_region=settings.region_code,
        )
    if pushed:
        log.info("pushed %d confirmed leads", len(pushed))
