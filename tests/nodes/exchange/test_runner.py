"""The delivery loop in one process: two nodes' exchanges, each with its own
database and threads, over the in-memory transport that plugs in where ZeroMQ
would. Handlers run once per message, in order, and local recipients are
served through the node's link to itself."""

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from ulid import ULID

from ipfed.exchange.messages import FilingSubmission, Lead, LeadKind, LeadPush, MessageType
from ipfed.exchange.transport import MemoryNetwork, MemoryTransport
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.exchange.handlers import Handlers, Received
from ipfed.nodes.exchange.models import InboxEnvelope
from ipfed.nodes.exchange.runner import Exchange
from ipfed.nodes.exchange.service import link_of, send


class Filed:
    """The national node's application side: what it was handed, in order."""

    def __init__(self) -> None:
        self.titles: list[str] = []
        self.handlers = Handlers()
        self.handlers.on(MessageType.FILING_SUBMISSION, self.take)

    def take(self, db: Session, received: Received) -> None:
        assert isinstance(received.body, FilingSubmission)
        self.titles.append(received.body.title)


@pytest.fixture
def running(federation_of: Callable[..., Any]) -> Iterator[tuple[dict[str, Exchange], Filed]]:
    fed = federation_of("national", "zj")
    network, filed = MemoryNetwork(), Filed()
    exchanges = {}
    for node_id, node in fed.nodes.items():
        settings = node.settings
        sessions = make_session_factory(make_engine(settings.db_url))
        transport = MemoryTransport(network, node_id, settings.exchange_endpoint)
        handlers = filed.handlers if node_id == "national" else Handlers()
        exchanges[node_id] = Exchange(settings, sessions, handlers, transport)
    for node_id, exchange in exchanges.items():  # as if learnt from each other's API
        with transaction(exchange.sessions) as db:
            for peer_id, peer in exchanges.items():
                if peer_id != node_id:
                    link_of(db=db, peer=peer_id, link_key=peer.link_key().model_dump_json())
    for exchange in exchanges.values():
        exchange.start()
    yield exchanges, filed
    for exchange in exchanges.values():
        exchange.stop()


def test_messages_are_handled_once_and_in_order(
    running: tuple[dict[str, Exchange], Filed],
) -> None:
    exchanges, filed = running
    zj = exchanges["zj"]
    titles = [f"备案 {n}" for n in range(600)]
    for chunk in range(0, 600, 200):
        with transaction(zj.sessions) as db:
            for title in titles[chunk : chunk + 200]:
                body = FilingSubmission(
                    filing_id=str(ULID()),
                    kind="case",
                    period="2026-11",
                    title=title,
                    document_sha256="ab" * 32,
                    content={},
                )
                send(db=db, network=zj.network, body=body)
    # A lead in Zhejiang itself: its enforcement authority is served by this node.
    lead = Lead(
        lead_id=str(ULID()),
        kind=LeadKind.TRADEMARK,
        right_id="8815527",
        score=Decimal("0.5"),
        reasons=["張小泉 for 张小泉"],
        seller="义乌市副食批发商行",
        jurisdiction="330782",
        evidence_sha256="cd" * 32,
    )
    with transaction(zj.sessions) as db:
        send(db=db, network=zj.network, body=LeadPush(lead=lead), now=datetime.now(UTC))

    deadline = time.monotonic() + 60
    while len(filed.titles) < 600 or not _local(zj):
        assert time.monotonic() < deadline, f"{len(filed.titles)} handled"
        time.sleep(0.05)
    assert filed.titles == titles  # each once, in the order sent
    [local] = _local(zj)
    assert local.sender == "浙江省知识产权局" and local.subject == lead.lead_id


def _local(exchange: Exchange) -> list[InboxEnvelope]:
    with transaction(exchange.sessions) as db:
        return list(db.scalars(select(InboxEnvelope).where(InboxEnvelope.peer == "zj")))
