"""Gossip: a node follows a peer's checkpoints and raises an alarm when the peer
shows a history that contradicts what it showed before."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.transactions import Transaction
from ipfed.ledger.witness import SplitView, compare
from ipfed.nodes.app import create_app
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeRole, NodeSettings, Peer
from ipfed.nodes.ledger.models import LogEntry, LogNode, StateEntry, StoredCheckpoint
from ipfed.nodes.ledger.service import record, sign_checkpoint
from ipfed.nodes.witness.gossip import gossip
from ipfed.nodes.witness.models import KnownCheckpoint
from ipfed.nodes.witness.service import alarms


def test_compare() -> None:
    a = Checkpoint("ipfed/x", 4, b"\x01" * 32)
    compare(a, a, [])
    with pytest.raises(SplitView):
        compare(a, Checkpoint("ipfed/x", 4, b"\x02" * 32), [])
    with pytest.raises(SplitView):
        compare(a, Checkpoint("ipfed/x", 6, b"\x02" * 32), [b"\x03" * 32])


def test_following_a_peer_and_catching_a_fork(
    engine: Engine,
    sessions: sessionmaker[Session],
    db: Session,
    settings: NodeSettings,
    federation: tuple,
    evidence: Callable[[str, int], list[Transaction]],
) -> None:
    bundle, key, certificate = federation
    peer_app = create_app(settings, engine)  # the Shanghai node, followed by a neighbour
    peer_app.state.sessions = sessions
    _, secret = create_api_key(db=db, org="浙江省知识产权局", role=Role.REGIONAL)
    peer = Peer(
        node_id="sh",
        role=NodeRole.REGIONAL,
        region_code="310000",
        api_url="http://sh",
        exchange_endpoint="tcp://127.0.0.1:7101",
        api_key=secret,
    )

    def client_for(p: Peer) -> TestClient:
        return TestClient(peer_app, headers={"X-API-Key": p.api_key or ""})

    def grow(tag: str, count: int) -> None:
        transactions = evidence(tag, count)
        record(db=db, origin=settings.origin, bundle=bundle, transactions=transactions)
        sign_checkpoint(db=db, origin=settings.origin, key=key, certificate=certificate)
        db.commit()

    def follow() -> str:
        (report,) = gossip(sessions=sessions, peers=[peer], bundle=bundle, client_for=client_for)
        db.commit()
        return report.outcome

    assert follow() == "no_checkpoint"
    grow("a", 5)
    assert follow() == "first_seen"
    grow("b", 3)
    assert follow() == "consistent"
    assert db.get(KnownCheckpoint, settings.origin).size == 8  # type: ignore[union-attr]
    assert follow() == "consistent"  # nothing new

    latest = db.get(StoredCheckpoint, 8)
    assert latest is not None
    db.delete(latest)  # Shanghai's latest checkpoint rolled back: it shows 5 again
    db.commit()
    assert follow() == "rolled_back"
    (rolled_back,) = alarms(db=db, origin=settings.origin)
    assert rolled_back.kind == "rolled_back" and rolled_back.evidence["known"]
    assert db.get(KnownCheckpoint, settings.origin).size == 8  # type: ignore[union-attr]

    for table in (LogEntry, LogNode, StateEntry, StoredCheckpoint):  # Shanghai rewrites history
        db.execute(delete(table))
    grow("a", 5)
    grow("c", 4)
    assert follow() == "split_view"
    (_, alarm) = alarms(db=db, origin=settings.origin)
    assert alarm.kind == "split_view"
    assert alarm.evidence["known"] and alarm.evidence["presented"]
    assert db.get(KnownCheckpoint, settings.origin).size == 8  # type: ignore[union-attr]

    unreachable = Peer(
        node_id="gone",
        role=NodeRole.REGIONAL,
        region_code="330000",
        api_url="http://127.0.0.1:9",
        exchange_endpoint="tcp://127.0.0.1:9",
    )
    (report,) = gossip(sessions=sessions, peers=[unreachable], bundle=bundle)
    assert report.outcome == "unreachable"
