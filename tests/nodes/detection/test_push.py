"""Confirmed leads pushed over the exchange: queued once, to the organisations of the
seller's region and the national record, each with a receipt that verifies.
Real database (both backends), real ledger and signatures; the outbox is read
back as the receiving nodes would read it."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ipfed.exchange.directory import Directory
from ipfed.exchange.envelope import Envelope
from ipfed.exchange.messages import LeadPush, LeadRecord, Shop
from ipfed.ledger.identity import CertificateAuthority, Organisation, Role, generate_key
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.detection import service
from ipfed.nodes.detection.models import Decision, Lead
from ipfed.nodes.detection.push import push_confirmed
from ipfed.nodes.exchange.models import OutboxEnvelope
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.identity import NodeIdentity
from ipfed.nodes.ledger.embedded import EmbeddedLedger
from ipfed.nodes.ledger.models import StoredCheckpoint
from ipfed.nodes.ledger.service import audit
from ipfed.nodes.ledger.shown import shown_checkpoints

ORIGIN = "ipfed/310000/sh"
SHANGHAI = Organisation("上海市知识产权局", Role.REGIONAL, "310000")
ACTING = [
    Organisation("国家知识产权局", Role.NATIONAL, "100000"),
    Organisation("上海市市场监督管理局", Role.ENFORCEMENT, "310000"),
    Organisation("浙江省市场监督管理局", Role.ENFORCEMENT, "330000"),
]


@pytest.fixture(scope="module")
def identity() -> NodeIdentity:
    """Shanghai's office in a federation that also knows who acts on leads."""
    authority = CertificateAuthority.create()
    key = generate_key()
    certificate = authority.issue(SHANGHAI, key.public_key())
    others = [authority.issue(o, generate_key().public_key()) for o in ACTING]
    return NodeIdentity(
        key, certificate, TrustBundle(authority.certificate, [certificate, *others])
    )


def network(identity: NodeIdentity, nodes: dict[str, str]) -> Network:
    """Shanghai's view: ``nodes`` maps region codes to the nodes it knows."""
    return Network(
        node_id="sh",
        organisation=SHANGHAI,
        key=identity.key,
        certificate=identity.certificate,
        bundle=identity.bundle,
        directory=Directory.from_bundle(identity.bundle),
        peers={},
        node_of_region={"310000": "sh", **nodes},
        national_node=nodes.get("100000"),
    )


FEDERATION = {"330000": "zj", "100000": "national"}


def review(db: Session, ledger: EmbeddedLedger, lead: Lead, decision: Decision) -> None:
    service.review_lead(
        db=db,
        lead_id=lead.id,
        reviewer="审查员",
        decision=decision,
        reason="looked at the evidence",
        ledger=ledger,
    )


def outbox(db: Session) -> list[Envelope]:
    return [Envelope.from_bytes(row.data) for row in db.scalars(select(OutboxEnvelope))]


def test_a_confirmed_lead_is_pushed_once_where_its_seller_is(
    db: Session, leads: dict[str, Lead], identity: NodeIdentity, ledger: EmbeddedLedger
) -> None:
    copycat = leads["S001/1587423"]  # 大白兎 sold by a shop traced to 义乌 (330782)
    review(db, ledger, copycat, Decision.CONFIRM)
    review(db, ledger, leads["S002/8815527"], Decision.REJECT)
    to = network(identity, FEDERATION)

    assert push_confirmed(db=db, network=to, ledger=ledger, home_region="310000") == [copycat.id]

    sent = {e.type: e for e in outbox(db)}
    assert set(sent) == {"lead.push", "lead.record"}
    now = datetime.now(UTC)
    for envelope in sent.values():
        assert envelope.verify(identity.bundle, now) == SHANGHAI  # receipt included
        assert envelope.receipt is not None
        assert envelope.receipt.position == copycat.ledger_position
    push = sent["lead.push"].message()
    assert isinstance(push, LeadPush) and push.lead.lead_id == copycat.id
    assert push.lead.jurisdiction == "330782" and push.lead.right_id == "1587423"
    assert (
        push.lead.right_holder
        and push.lead.shop
        and push.lead.shop == Shop(platform="taobao", shop_id="fushi-pifa")
    )
    assert push.lead.evidence_sha256 == copycat.evidence.sha256
    assert sent["lead.push"].recipients == ["浙江省市场监督管理局"]
    record = sent["lead.record"].message()
    assert isinstance(record, LeadRecord) and record.lead == push.lead
    assert copycat.pushed_at is not None

    # the next round has nothing new to push
    assert push_confirmed(db=db, network=to, ledger=ledger, home_region="310000") == []
    assert len(outbox(db)) == 2


def test_a_lead_waits_while_no_node_serves_its_region(
    db: Session, leads: dict[str, Lead], identity: NodeIdentity, ledger: EmbeddedLedger
) -> None:
    copycat = leads["S001/1587423"]
    review(db, ledger, copycat, Decision.CONFIRM)

    alone = network(identity, {})  # neither Zhejiang's node nor the national one known
    assert push_confirmed(db=db, network=alone, ledger=ledger, home_region="310000") == []
    assert outbox(db) == [] and copycat.pushed_at is None

    pushed = push_confirmed(
        db=db, network=network(identity, FEDERATION), ledger=ledger, home_region="310000"
    )
    assert pushed == [copycat.id] and len(outbox(db)) == 2


def test_a_seller_not_traced_is_the_finding_office_s_to_act_on(
    db: Session, leads: dict[str, Lead], identity: NodeIdentity, ledger: EmbeddedLedger
) -> None:
    lead = leads["S001/1587423"]
    lead.region_code = None  # as if source tracing had found nothing
    review(db, ledger, lead, Decision.CONFIRM)
    push_confirmed(
        db=db, network=network(identity, FEDERATION), ledger=ledger, home_region="310000"
    )
    push = next(e for e in outbox(db) if e.type == "lead.push")
    assert push.recipients == ["上海市市场监督管理局"]
    message = push.message()
    assert isinstance(message, LeadPush) and message.lead.jurisdiction == "310000"


def test_checkpoints_in_pushed_receipts_are_kept_for_the_ledger_audit(
    db: Session, leads: dict[str, Lead], identity: NodeIdentity, ledger: EmbeddedLedger
) -> None:
    """A lead's receipt shows a checkpoint of the log to others: deleting every stored
    checkpoint afterwards is found, from the copy in the outbox."""
    review(db, ledger, leads["S001/1587423"], Decision.CONFIRM)
    push_confirmed(
        db=db, network=network(identity, FEDERATION), ledger=ledger, home_region="310000"
    )
    shown = list(shown_checkpoints(db=db, origin=ORIGIN))
    assert shown and all(s == str(ledger.checkpoint()) for s in shown)
    assert list(shown_checkpoints(db=db, origin="ipfed/330000/zj")) == []
    assert audit(db=db, origin=ORIGIN, bundle=identity.bundle, seen=shown) is None

    db.execute(delete(StoredCheckpoint))
    problem = audit(db=db, origin=ORIGIN, bundle=identity.bundle, seen=shown)
    assert problem is not None and problem.code == "missing_checkpoint"
