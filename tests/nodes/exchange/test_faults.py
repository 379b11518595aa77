"""Faults between two node processes: the receiver killed -9 mid-stream, the
sender killed -9 mid-batch, the link cut for a while. After recovery every
message has been applied exactly once, in the order it was sent."""

import socket
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from processes import free_port
from sqlalchemy import func, select
from ulid import ULID

from ipfed.exchange.messages import FilingSubmission
from ipfed.nodes.database.core import transaction
from ipfed.nodes.exchange.models import DeliveryState, InboxEnvelope, OutboxDelivery, PeerLink
from ipfed.nodes.exchange.service import send

pytestmark = pytest.mark.integration
FILINGS = 4000


def file_filings(node: Any, count: int) -> None:
    """Zhejiang files ``count`` case summaries upward (each goes to the national node)."""
    network = node.network()
    with transaction(node.sessions) as db:
        for n in range(count):
            body = FilingSubmission(
                filing_id=str(ULID()),
                kind="case",
                period="2026-11",
                title=f"案件备案 {n}",
                document_sha256=f"{n:064x}",
                content={"n": n},
            )
            send(db=db, network=network, body=body, now=datetime.now(UTC))


def received(node: Any) -> int:
    with node.sessions() as db:  # reads only: waits for none of the node's writers
        return int(db.scalar(select(func.count()).select_from(InboxEnvelope)) or 0)


def assert_every_message_applied_once_in_order(fed: Any, total: int) -> None:
    sender, receiver = fed.nodes["zj"], fed.nodes["national"]

    def delivered() -> bool:
        with sender.sessions() as db:
            states = db.execute(
                select(OutboxDelivery.state, func.count()).group_by(OutboxDelivery.state)
            ).all()
        return dict(states) == {DeliveryState.DELIVERED: total}

    fed.wait_for(delivered, "every message to be acknowledged", timeout=180)
    with transaction(sender.sessions) as db:
        sent = db.scalars(select(OutboxDelivery.envelope_id).order_by(OutboxDelivery.seq)).all()
    with transaction(receiver.sessions) as db:
        rows = db.execute(
            select(InboxEnvelope.envelope_id, InboxEnvelope.state).order_by(InboxEnvelope.id)
        ).all()
    assert len(sent) == total
    assert [envelope_id for envelope_id, _ in rows] == list(sent)  # each once, in order
    assert {state for _, state in rows} == {"accepted"}  # none refused as a replay


def test_receiver_killed_mid_stream_gets_everything_after_restart(federation_of: Any) -> None:
    fed = federation_of("national", "zj")
    national, zj = fed.nodes["national"], fed.nodes["zj"]
    file_filings(zj, FILINGS)
    fed.start()
    fed.wait_for(lambda: received(national) >= FILINGS // 10, "the stream to start")
    national.kill()
    assert received(national) < FILINGS, "the stream ended before the kill"
    file_filings(zj, 500)  # while it is down
    national.start()
    assert_every_message_applied_once_in_order(fed, FILINGS + 500)


def test_sender_killed_mid_batch_resends_without_duplicates(federation_of: Any) -> None:
    fed = federation_of("national", "zj")
    national, zj = fed.nodes["national"], fed.nodes["zj"]
    file_filings(zj, FILINGS)
    fed.start()
    fed.wait_for(lambda: received(national) >= FILINGS // 10, "the stream to start")
    zj.kill()
    assert received(national) < FILINGS, "the stream ended before the kill"
    zj.start()
    assert_every_message_applied_once_in_order(fed, FILINGS)


class Cable:
    """A TCP link that can be cut: a forwarding proxy on loopback between the
    sender and the receiver's endpoint (a failing network cannot exist here)."""

    def __init__(self, port: int, target: int) -> None:
        self.port, self.target = port, target
        self.connections: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.mend()

    def mend(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=True)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        assert self.listener is not None
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self.listener.close()
        for connection in self.connections:
            connection.close()
        self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                near, _ = listener.accept()
            except OSError:
                return
            far = socket.create_connection(("127.0.0.1", self.target))
            self.connections += [near, far]
            for a, b in ((near, far), (far, near)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            end.close()


def test_a_cut_link_is_retried_with_back_off_and_loses_nothing(federation_of: Any) -> None:
    port = free_port()
    fed = federation_of("national", "zj", endpoints={("zj", "national"): f"tcp://127.0.0.1:{port}"})
    national, zj = fed.nodes["national"], fed.nodes["zj"]
    cable = Cable(port, int(national.settings.exchange_endpoint.rsplit(":", 1)[1]))
    file_filings(zj, FILINGS)
    fed.start()
    fed.wait_for(lambda: received(national) >= FILINGS // 10, "the stream to start")
    cable.cut()
    file_filings(zj, 500)  # while the link is down

    def failing() -> bool:
        with zj.sessions() as db:
            link = db.get(PeerLink, "national")
            return link is not None and link.failures >= 2 and link.retry_at is not None

    fed.wait_for(failing, "the sender to retry and back off")
    assert received(national) < FILINGS + 500
    cable.mend()
    assert_every_message_applied_once_in_order(fed, FILINGS + 500)
