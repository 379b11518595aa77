"""Sending and receiving on the real databases: queueing per link, idempotent and
ordered receipt, refusals stored with their reason, retries and dead letters.

One database plays both ends: the sender's outbox and the receiver's inbox are
different tables, and each keeps its own row of the links table.
"""

import base64
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from ulid import ULID

from ipfed.exchange.envelope import Envelope
from ipfed.exchange.errors import ExchangeError, Refused, Unroutable
from ipfed.exchange.messages import (
    FilingSubmission,
    Lead,
    LeadKind,
    LeadOutcome,
    LeadPush,
    MessageType,
)
from ipfed.exchange.transport import Ack, AckStatus, Delivery
from ipfed.ledger.canonical import canonical_bytes
from ipfed.ledger.identity import sign
from ipfed.ledger.log import MemoryStore, TransparencyLog
from ipfed.ledger.receipts import Receipt
from ipfed.ledger.transactions import TxType, new_transaction
from ipfed.nodes.config import NodeSettings, Peer
from ipfed.nodes.errors import Conflict
from ipfed.nodes.exchange.delivery import due, record_acks, record_failure
from ipfed.nodes.exchange.handlers import Handlers, Received
from ipfed.nodes.exchange.inbox import receive
from ipfed.nodes.exchange.models import (
    Addressee,
    DeliveryState,
    InboxEnvelope,
    InboxState,
    PeerLink,
)
from ipfed.nodes.exchange.models import OutboxDelivery as Queued
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.exchange.schemas import FeedbackIn
from ipfed.nodes.exchange.service import give_up, retry, send
from ipfed.nodes.exchange.views import inbox, report_feedback
from ipfed.nodes.identity import NodeIdentity
from ipfed.nodes.witness.models import Alarm

NODES = {
    "national": ("国家知识产权局", "national", "100000"),
    "sh": ("上海市知识产权局", "regional", "310000"),
    "zj": ("浙江省知识产权局", "regional", "330000"),
}
XUHUI = "徐汇区市场监督管理局"


def network(
    offices: Any, node_id: str, tmp_path: Path, peers: tuple[str, ...] | None = None
) -> Network:
    org, role, region = NODES[node_id]
    settings = NodeSettings(
        node_id=node_id,
        role=role,
        region_code=region,
        org_name=org,
        data_dir=tmp_path / node_id,
        peers=[
            Peer(
                node_id=other,
                role=NODES[other][1],
                region_code=NODES[other][2],
                api_url=f"http://127.0.0.1:{9000 + i}",
                exchange_endpoint=f"tcp://127.0.0.1:{9100 + i}",
            )
            for i, other in enumerate(NODES)
            if other != node_id and (peers is None or other in peers)
        ],
    )
    key, certificate = offices.keys[org]
    return Network.of(settings, NodeIdentity(key, certificate, offices.bundle()))


def push(jurisdiction: str = "310104") -> LeadPush:
    return LeadPush(
        lead=Lead(
            lead_id=str(ULID()),
            kind=LeadKind.TRADEMARK,
            right_id="4410392",
            score=Decimal("0.88"),
            reasons=["回カ imitates 回力"],
            seller="上海黄浦鞋业贸易有限公司",
            jurisdiction=jurisdiction,
            evidence_sha256="12" * 32,
        )
    )


class Recorder:
    """The application's side: what each handled message was (a stand-in for a domain)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.handlers = Handlers()
        self.handlers.on(MessageType.LEAD_PUSH, self.handle)

    def handle(self, db: Session, received: Received) -> None:
        self.seen.append(received.envelope.id)


@pytest.fixture
def zj(offices: Any, tmp_path: Path) -> Network:
    return network(offices, "zj", tmp_path)


@pytest.fixture
def sh(offices: Any, tmp_path: Path) -> Network:
    return network(offices, "sh", tmp_path)


def test_send_queues_one_delivery_per_node_in_link_order(db: Session, zj: Network) -> None:
    first = send(db=db, network=zj, body=push())
    assert [e.type for e in first] == [MessageType.LEAD_PUSH, MessageType.LEAD_RECORD]
    assert first[0].recipients == [XUHUI] and first[1].recipients == ["国家知识产权局"]
    send(db=db, network=zj, body=push())
    send(db=db, network=zj, body=push("330782"))  # Zhejiang's own enforcement: served here
    queued = db.execute(select(Queued.peer, Queued.seq).order_by(Queued.peer, Queued.seq)).all()
    assert queued == [
        ("national", 1),
        ("national", 2),
        ("national", 3),
        ("sh", 1),
        ("sh", 2),
        ("zj", 1),
    ]
    assert len(due(db=db, peer="sh", limit=10).deliveries) == 2


def test_an_organisation_no_node_serves_is_unroutable(
    db: Session, offices: Any, tmp_path: Path
) -> None:
    alone = network(offices, "zj", tmp_path, peers=("sh",))  # no national node to record at
    with pytest.raises(Unroutable):
        send(db=db, network=alone, body=push())


def test_receipt_is_applied_once_and_answered_again_the_same(
    db: Session, zj: Network, sh: Network
) -> None:
    recorder = Recorder()
    send(db=db, network=zj, body=push())
    batch = due(db=db, peer="sh", limit=10).deliveries
    acks = receive(db=db, network=sh, handlers=recorder.handlers, peer="zj", deliveries=batch)
    assert [a.status for a in acks] == [AckStatus.ACCEPTED]
    again = receive(db=db, network=sh, handlers=recorder.handlers, peer="zj", deliveries=batch)
    assert [a.status for a in again] == [AckStatus.DUPLICATE]
    assert len(recorder.seen) == 1
    # Xuhui's enforcement authority sees it in its queue; Zhejiang's does not.
    assert len(inbox(db=db, organisation=XUHUI)) == 1
    assert inbox(db=db, organisation="浙江省市场监督管理局") == []


def test_the_same_envelope_under_a_new_number_is_a_replay(
    db: Session, zj: Network, sh: Network
) -> None:
    recorder = Recorder()
    send(db=db, network=zj, body=push())
    [delivery] = due(db=db, peer="sh", limit=10).deliveries
    receive(db=db, network=sh, handlers=recorder.handlers, peer="zj", deliveries=[delivery])
    replay = Delivery(delivery.seq + 5, delivery.envelope)
    [ack] = receive(db=db, network=sh, handlers=recorder.handlers, peer="zj", deliveries=[replay])
    assert (ack.status, ack.code) == (AckStatus.REFUSED, "replayed")
    assert len(recorder.seen) == 1
    stored = db.scalar(select(InboxEnvelope).where(InboxEnvelope.seq == replay.seq))
    assert stored is not None and stored.state is InboxState.REFUSED and stored.code == "replayed"
    # Another envelope under a number already taken: out of order, not stored over the first.
    send(db=db, network=zj, body=push())
    [later] = due(db=db, peer="sh", limit=10).deliveries[1:]
    [ack] = receive(
        db=db,
        network=sh,
        handlers=recorder.handlers,
        peer="zj",
        deliveries=[Delivery(delivery.seq, later.envelope)],
    )
    assert (ack.status, ack.code) == (AckStatus.REFUSED, "out_of_order")


def test_envelopes_of_the_versions_known_are_applied_and_a_newer_major_refused(
    db: Session, offices: Any, zj: Network, sh: Network
) -> None:
    """Offices do not all upgrade on the same day."""
    key, _ = offices.keys["浙江省知识产权局"]

    def written(changes: dict[str, Any]) -> bytes:
        """A lead for Xuhui as a node of another version writes it, signed by Zhejiang."""
        send(db=db, network=zj, body=push())
        envelope = Envelope.from_bytes(due(db=db, peer="sh", limit=99).deliveries[-1].envelope)
        fields = envelope.model_dump(mode="json", exclude={"signature"}) | changes
        signature = base64.b64encode(sign(key, canonical_bytes(fields))).decode()
        return canonical_bytes(fields | {"signature": signature})

    sent = [
        written({}),  # what nodes send today: no version field
        written({"v": "1.1", "priority": "urgent"}),
        written({"v": "2.0", "priority": "urgent"}),
    ]
    assert b'"v":' not in sent[0]
    recorder = Recorder()
    batch = [Delivery(seq, data) for seq, data in enumerate(sent, start=1)]
    acks = receive(db=db, network=sh, handlers=recorder.handlers, peer="zj", deliveries=batch)
    assert [(a.status, a.code) for a in acks] == [
        (AckStatus.ACCEPTED, None),
        (AckStatus.ACCEPTED, None),
        (AckStatus.REFUSED, "unsupported_version"),
    ]
    assert len(recorder.seen) == 2
    rows = db.scalars(select(InboxEnvelope).order_by(InboxEnvelope.seq)).all()
    assert [r.data for r in rows] == sent
    assert [(r.state, r.code) for r in rows] == [
        (InboxState.ACCEPTED, None),
        (InboxState.ACCEPTED, None),
        (InboxState.REFUSED, "unsupported_version"),
    ]
    assert rows[2].reason == (
        "Envelope format 2.0 is newer than this node reads (1.x): "
        "the node must be upgraded to read it"
    )


def test_an_envelope_over_another_node_s_link_is_refused(
    db: Session, zj: Network, sh: Network
) -> None:
    send(db=db, network=zj, body=push())
    batch = due(db=db, peer="sh", limit=10).deliveries
    [ack] = receive(db=db, network=sh, handlers=Handlers(), peer="national", deliveries=batch)
    assert (ack.status, ack.code) == (AckStatus.REFUSED, "wrong_link")


def test_an_envelope_for_nobody_served_here_is_refused(
    db: Session, zj: Network, sh: Network
) -> None:
    send(db=db, network=zj, body=push())
    to_national = due(db=db, peer="national", limit=10).deliveries  # the lead record
    [ack] = receive(db=db, network=sh, handlers=Handlers(), peer="zj", deliveries=to_national)
    assert (ack.status, ack.code) == (AckStatus.REFUSED, "not_addressed_here")


def test_a_handler_that_refuses_leaves_nothing_applied(
    db: Session, zj: Network, sh: Network
) -> None:
    def refuse(db: Session, received: Received) -> None:
        db.add(Alarm(kind="test", origin="x", detail="half-done work", evidence={}))
        db.flush()
        raise Conflict("this lead is already being handled", code="lead_in_hand")

    handlers = Handlers()
    handlers.on(MessageType.LEAD_PUSH, refuse)
    send(db=db, network=zj, body=push())
    [ack] = receive(
        db=db,
        network=sh,
        handlers=handlers,
        peer="zj",
        deliveries=due(db=db, peer="sh", limit=9).deliveries,
    )
    assert (ack.status, ack.code) == (AckStatus.REFUSED, "lead_in_hand")
    assert db.scalar(select(func.count()).select_from(Alarm)) == 0
    assert db.scalar(select(func.count()).select_from(Addressee)) == 0
    [row] = db.scalars(select(InboxEnvelope)).all()
    assert row.state is InboxState.REFUSED and "already being handled" in (row.reason or "")


def test_acks_failures_retries_and_dead_letters(db: Session, zj: Network) -> None:
    for _ in range(3):
        send(db=db, network=zj, body=push())
    now = datetime.now(UTC)
    first = record_failure(
        db=db, peer="sh", seqs=[1, 2, 3], error="no answer", max_backoff=30, now=now
    )
    second = record_failure(
        db=db, peer="sh", seqs=[1, 2, 3], error="no answer", max_backoff=30, now=now
    )
    assert now < first < second <= now + timedelta(seconds=30)
    assert (
        due(db=db, peer="sh", limit=10, now=now).retry_at == second
    )  # backing off: nothing is due
    assert len(due(db=db, peer="sh", limit=10, now=second + timedelta(seconds=1)).deliveries) == 3

    record_acks(
        db=db,
        peer="sh",
        acks=[
            Ack(seq=1, status=AckStatus.ACCEPTED),
            Ack(seq=2, status=AckStatus.REFUSED, code="unknown_sender", reason="no such key"),
            Ack(seq=3, status=AckStatus.DUPLICATE),
        ],
    )
    states = dict(db.execute(select(Queued.seq, Queued.state).where(Queued.peer == "sh")).all())
    assert states == {1: DeliveryState.DELIVERED, 2: DeliveryState.DEAD, 3: DeliveryState.DELIVERED}
    link = db.get(PeerLink, "sh")
    assert link is not None and link.failures == 0 and link.retry_at is None
    dead = db.scalar(select(Queued).where(Queued.state == DeliveryState.DEAD))
    assert dead is not None and dead.code == "unknown_sender" and dead.attempts == 3

    envelope_id = dead.envelope_id
    assert retry(db=db, envelope_id=envelope_id) == 1
    db.expire_all()
    requeued = db.scalar(
        select(Queued).where(Queued.envelope_id == envelope_id, Queued.peer == "sh")
    )
    assert requeued is not None and requeued.state is DeliveryState.PENDING and requeued.seq == 4
    assert give_up(db=db, envelope_id=envelope_id, reason="the office closed") == 1


def test_feedback_goes_back_to_the_finder(db: Session, zj: Network, sh: Network) -> None:
    lead = push()
    send(db=db, network=zj, body=lead)
    receive(
        db=db,
        network=sh,
        handlers=Handlers(),
        peer="zj",
        deliveries=due(db=db, peer="sh", limit=9).deliveries,
    )
    sent = report_feedback(
        db=db,
        network=sh,
        lead_id=lead.subject,
        handled_by=XUHUI,
        organisation=XUHUI,
        feedback=FeedbackIn(outcome=LeadOutcome.CASE_OPENED, case_number="沪徐市监案〔2026〕1号"),
    )
    [feedback] = sent
    assert feedback.type is MessageType.LEAD_FEEDBACK
    assert set(feedback.recipients) == {"浙江省知识产权局", "国家知识产权局"}
    assert feedback.body["found_by"] == "浙江省知识产权局" and feedback.body["handled_by"] == XUHUI
    # Someone the lead was not pushed to cannot answer for it.
    with pytest.raises(Exception, match="no lead"):
        report_feedback(
            db=db,
            network=sh,
            lead_id=lead.subject,
            handled_by="上海市市场监督管理局",
            organisation="上海市市场监督管理局",
            feedback=FeedbackIn(outcome=LeadOutcome.NO_INFRINGEMENT),
        )


def receipt_for(offices: Any, lead: Lead) -> Receipt:
    """Zhejiang's ledger records the lead: the receipt of that record."""
    key, certificate = offices.keys["浙江省知识产权局"]
    payload = {"lead_id": lead.lead_id, "evidence_sha256": lead.evidence_sha256}
    tx = new_transaction(TxType.LEAD_RECORDED, payload, key, certificate, datetime.now(UTC))
    log = TransparencyLog(MemoryStore(), "ipfed/330000/zj")
    log.append([tx.entry()])
    checkpoint = str(log.signed_checkpoint(key, certificate))
    return Receipt(
        position=0, transaction=tx, inclusion_proof=log.inclusion_proof(0, 1), checkpoint=checkpoint
    )


def test_a_receipt_travels_with_the_lead_and_is_checked_before_sending(
    db: Session, offices: Any, zj: Network, sh: Network
) -> None:
    lead = push()
    receipt = receipt_for(offices, lead.lead)
    sent = send(db=db, network=zj, body=lead, receipt=receipt)
    assert [e.receipt for e in sent] == [receipt, receipt]  # the push and the record
    [ack] = receive(
        db=db,
        network=sh,
        handlers=Handlers(),
        peer="zj",
        deliveries=due(db=db, peer="sh", limit=9).deliveries,
    )
    assert ack.status is AckStatus.ACCEPTED

    with pytest.raises(Refused) as wrong:
        send(db=db, network=zj, body=push(), receipt=receipt)  # another lead
    assert wrong.value.code == "bad_receipt"
    filing = FilingSubmission(
        filing_id=str(ULID()),
        kind="summary",
        period="2026",
        title="年度总结",
        document_sha256="0a" * 32,
        content={},
    )
    with pytest.raises(ExchangeError) as unexpected:
        send(db=db, network=zj, body=filing, receipt=receipt)  # filings carry none
    assert unexpected.value.code == "unexpected_receipt"
