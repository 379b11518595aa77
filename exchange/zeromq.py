"""The ZeroMQ transport: CURVE-encrypted, and only peers whose CURVE keys the
node knows (bound to their federation certificates) get through the handshake.

The receiver binds a ROUTER socket; each sender keeps one DEALER socket per
peer and waits for the acks of a batch before it sends the next. A batch that
gets no answer in time closes the socket ("lazy pirate"), so that nothing
stale is queued for the peer; the sender retries on a new one.
"""

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence

import zmq
from zmq.auth.thread import ThreadAuthenticator

from ipfed.exchange.errors import LinkDown
from ipfed.exchange.keys import CurveKeys
from ipfed.exchange.transport import ACKS, Ack, AckStatus, Delivery, Link, PeerAddress, Receive

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 << 20
POLL_MS = 100
RETRY_BIND_SECONDS = 5.0

# The CURVE public key (Z85) of a client -> the node id of the peer, if it is one.
PeerOfKey = Callable[[str], str | None]


class _Keys:
    """ZAP credentials: admit the CURVE keys of known peers."""

    def __init__(self, peer_of: PeerOfKey) -> None:
        self.peer_of = peer_of

    def callback(self, domain: str, key: bytes) -> bool:
        return self.peer_of(key.decode()) is not None  # ZAP hands over the Z85 form


class ZmqTransport:
    def __init__(self, *, endpoint: str, keys: CurveKeys, peer_of: PeerOfKey) -> None:
        self.endpoint = endpoint
        self.keys = keys
        self.peer_of = peer_of
        self.context = zmq.Context()
        self.listening = False
        self.error: str | None = None
        self._stop = threading.Event()
        self._server: threading.Thread | None = None
        self._auth: ThreadAuthenticator | None = None

    def serve(self, receive: Receive) -> None:
        self._auth = ThreadAuthenticator(self.context, log=log)
        self._auth.start()
        self._auth.configure_curve_callback("*", credentials_provider=_Keys(self.peer_of))
        self._server = threading.Thread(
            target=self._serve, args=(receive,), name="exchange-server", daemon=True
        )
        self._server.start()

    def _bind(self) -> zmq.Socket[bytes] | None:
        socket: zmq.Socket[bytes] = self.context.socket(zmq.ROUTER)
        socket.curve_server = True
        socket.curve_secretkey = self.keys.secret
        socket.curve_publickey = self.keys.public
        socket.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        socket.linger = 0
        try:
            socket.bind(self.endpoint)
        except zmq.ZMQError as exc:
            socket.close()
            self.error = f"cannot listen at {self.endpoint}: {exc}"
            log.error("%s; retrying in %.0f s", self.error, RETRY_BIND_SECONDS)
            return None
        self.listening, self.error = True, None
        return socket

    def _serve(self, receive: Receive) -> None:
        socket = self._bind()
        while socket is None and not self._stop.wait(RETRY_BIND_SECONDS):
            socket = self._bind()
        if socket is None:
            return
        try:
            while not self._stop.is_set():
                if not socket.poll(POLL_MS):
                    continue
                frames = socket.recv_multipart(copy=False)
                reply = self._answer(frames, receive)
                if reply is not None:
                    socket.send_multipart([frames[0].bytes, frames[1].bytes, reply])
        finally:
            socket.close()
            self.listening = False

    def _answer(self, frames: list[zmq.Frame], receive: Receive) -> bytes | None:
        """The acks for one batch, or None to leave it unanswered (the sender retries)."""
        if len(frames) < 2 or len(frames) % 2:
            log.warning("dropped a message that is not a batch")
            return None
        peer = self.peer_of(str(frames[1].get("User-Id")))  # the client's key, from ZAP
        deliveries: list[Delivery] = []
        for seq, envelope in zip(frames[2::2], frames[3::2], strict=True):
            try:
                deliveries.append(Delivery(int(seq.bytes), envelope.bytes))
            except ValueError:
                log.warning("dropped a batch with a bad sequence number")
                return None
        if peer is None:  # its key was known at the handshake, and forgotten since
            refused = [
                Ack(seq=d.seq, status=AckStatus.REFUSED, code="unknown_link", reason="unknown key")
                for d in deliveries
            ]
            return ACKS.dump_json(refused)
        try:
            return ACKS.dump_json(receive(peer, deliveries))
        except Exception:  # a failed batch is retried by its sender
            log.exception("a batch from %s failed", peer)
            return None

    def link(self, peer: PeerAddress) -> Link:
        return ZmqLink(self, peer)

    def close(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.join(timeout=5)
        if self._auth is not None:
            self._auth.stop()
        self.context.destroy(linger=0)  # closes any socket a stuck thread still holds


class ZmqLink:
    def __init__(self, transport: ZmqTransport, peer: PeerAddress) -> None:
        self.transport = transport
        self.peer = peer
        self._socket: zmq.Socket[bytes] | None = None

    def _connected(self) -> zmq.Socket[bytes]:
        if self._socket is None:
            socket: zmq.Socket[bytes] = self.transport.context.socket(zmq.DEALER)
            socket.curve_serverkey = self.peer.link_key.encode()
            socket.curve_publickey = self.transport.keys.public
            socket.curve_secretkey = self.transport.keys.secret
            socket.immediate = True  # queue nothing for a peer that is not connected
            socket.linger = 0
            socket.connect(self.peer.endpoint)
            self._socket = socket
        return self._socket

    def deliver(self, deliveries: Sequence[Delivery], timeout: float) -> list[Ack]:
        socket = self._connected()
        if not socket.poll(int(timeout * 1000), zmq.POLLOUT):
            self.close()  # connect afresh next time: a refused handshake is not retried
            raise LinkDown(f"no connection to {self.peer.node_id} at {self.peer.endpoint}")
        batch = os.urandom(8)
        frames = [batch]
        for delivery in deliveries:
            frames += [str(delivery.seq).encode(), delivery.envelope]
        socket.send_multipart(frames)
        deadline = time.monotonic() + timeout
        while socket.poll(max(0, int((deadline - time.monotonic()) * 1000))):
            answer = socket.recv_multipart()
            if len(answer) == 2 and answer[0] == batch:
                return ACKS.validate_json(answer[1])
            # the late answer to a batch given up on: ignore it
        self.close()
        raise LinkDown(f"{self.peer.node_id} did not acknowledge within {timeout:.1f} s")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close(linger=0)
            self._socket = None
