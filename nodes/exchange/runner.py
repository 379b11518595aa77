"""The delivery loop of a running node.

One thread per link sends that link's pending deliveries in order, a batch at
a time, and waits for the acks before the next batch; a link that fails backs
off exponentially and is retried, for as long as it takes. The transport's
server hands received batches to :func:`~ipfed.nodes.exchange.inbox.receive`.
Another thread learns the peers' CURVE keys from their signed link keys.
Deliveries to organisations this node serves itself go through the same
loop, on a link to itself.
"""

import logging
import threading
import time
from collections.abc import Sequence
from datetime import datetime

import httpx
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from ipfed.exchange.errors import ExchangeError, LinkDown
from ipfed.exchange.keys import LinkKey, curve_keys
from ipfed.exchange.transport import Ack, Delivery, Link, PeerAddress, Transport
from ipfed.exchange.zeromq import ZmqTransport
from ipfed.nodes.config import NodeSettings, Peer
from ipfed.nodes.database.core import error_text, transaction, utcnow
from ipfed.nodes.exchange.delivery import due, record_acks, record_failure
from ipfed.nodes.exchange.handlers import Handlers
from ipfed.nodes.exchange.inbox import receive
from ipfed.nodes.exchange.models import PeerLink
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.exchange.service import link_of
from ipfed.nodes.identity import node_identity
from ipfed.nodes.secrets import key_passphrase

log = logging.getLogger(__name__)
KEY_RETRY_SECONDS = 2.0
BUSY_POLL_SECONDS = 0.02  # how soon a link that just sent looks for more
BUSY_SECONDS = 1.0  # after that long without work, it looks less often
KEY_REFRESH_SECONDS = 300.0


class Exchange:
    """The running exchange of one node: its transport server and one sender per link."""

    def __init__(
        self,
        settings: NodeSettings,
        sessions: sessionmaker[Session],
        handlers: Handlers,
        transport: Transport | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.handlers = handlers
        self._identity = node_identity(settings)
        self._network = Network.of(settings, self._identity)
        self.keys = curve_keys(settings.identity_dir, key_passphrase())
        self.link_keys: dict[str, str] = {}  # peer node id -> its verified CURVE key (Z85)
        self.transport = transport or ZmqTransport(
            endpoint=settings.exchange_endpoint or "", keys=self.keys, peer_of=self.peer_of_key
        )
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def network(self) -> Network:
        """The federation as the node's trust bundle now says (a new bundle takes effect)."""
        identity = node_identity(self.settings)
        if identity is not self._identity:
            self._network = Network.of(self.settings, identity)
            self._identity = identity
        return self._network

    def link_key(self, now: datetime | None = None) -> LinkKey:
        """This node's CURVE key, signed for its peers."""
        return LinkKey.issue(
            node_id=self.settings.node_id,
            keys=self.keys,
            key=self.network.key,
            certificate=self.network.certificate,
            now=now or utcnow(),
        )

    def peer_of_key(self, curve_key: str) -> str | None:
        known = list(self.link_keys.items())  # read by the transport's threads
        return next((peer for peer, key in known if key == curve_key), None)

    # --- life cycle -----------------------------------------------------------

    def start(self) -> None:
        with transaction(self.sessions) as db:
            for node_id in [self.settings.node_id, *self.network.peers]:
                link_of(db=db, peer=node_id)
            for row in db.scalars(select(PeerLink).where(PeerLink.link_key.is_not(None))):
                self._trust(row.peer, row.link_key or "")
        self.transport.serve(self._receive)
        self._spawn(self._learn_keys, "exchange-keys")
        self._spawn(self._send, "exchange-self", self.settings.node_id, _LocalLink(self))
        for peer in self.network.peers.values():
            self._spawn(self._send_to, f"exchange-{peer.node_id}", peer)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self.transport.close()

    def _spawn(self, target: object, name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    # --- receiving ------------------------------------------------------------

    def _receive(self, peer: str, deliveries: Sequence[Delivery]) -> list[Ack]:
        with transaction(self.sessions) as db:
            return receive(
                db=db,
                network=self.network,
                handlers=self.handlers,
                peer=peer,
                deliveries=deliveries,
            )

    # --- sending --------------------------------------------------------------

    def _send_to(self, peer: Peer) -> None:
        while peer.node_id not in self.link_keys:
            if self._stop.wait(0.2):
                return
        address = PeerAddress(peer.node_id, peer.exchange_endpoint, self.link_keys[peer.node_id])
        self._send(peer.node_id, self.transport.link(address))

    def _send(self, peer: str, link: Link) -> None:
        """Send the link's deliveries for as long as the node runs."""
        idle_since = time.monotonic()
        try:
            while not self._stop.is_set():
                try:
                    if self._send_batch(peer, link):
                        idle_since = time.monotonic()
                        continue
                except DBAPIError as exc:  # a busy or restarting database: try again soon
                    log.warning("exchange with %s: %s", peer, error_text(exc))
                # Nothing to send: look again soon while traffic flows, less often after.
                busy = time.monotonic() - idle_since < BUSY_SECONDS
                self._stop.wait(BUSY_POLL_SECONDS if busy else self.settings.exchange_poll_seconds)
        finally:
            link.close()

    def _send_batch(self, peer: str, link: Link) -> bool:
        """Send one batch and record its acks; False when there was nothing to do."""
        settings = self.settings
        with transaction(self.sessions) as db:
            batch = due(db=db, peer=peer, limit=settings.exchange_batch_size)
        if batch.retry_at is not None:
            self._stop.wait(max(0.0, (batch.retry_at - utcnow()).total_seconds()))
            return True
        if not batch.deliveries:
            return False
        seqs = [d.seq for d in batch.deliveries]
        try:
            acks = link.deliver(batch.deliveries, settings.exchange_timeout_seconds)
        except LinkDown as exc:
            with transaction(self.sessions) as db:
                record_failure(
                    db=db,
                    peer=peer,
                    seqs=seqs,
                    error=exc.message,
                    max_backoff=settings.exchange_retry_max_seconds,
                )
            log.info("exchange with %s: %s", peer, exc.message)
            return True
        with transaction(self.sessions) as db:
            record_acks(db=db, peer=peer, acks=acks)
        return True

    # --- peers' keys ----------------------------------------------------------

    def _trust(self, peer: str, text: str) -> bool:
        """Pin a peer's link key if its own office signed it for that node."""
        try:
            link_key = LinkKey.model_validate_json(text)
            signer = link_key.verify(self.network.bundle)
        except (ValidationError, ExchangeError) as exc:
            log.warning("link key of %s refused: %s", peer, exc)
            return False
        if link_key.node_id != peer or signer != self.network.office_of(peer):
            log.warning("link key of %s is not signed by its office", peer)
            return False
        self.link_keys[peer] = link_key.curve_key
        return True

    def _learn_keys(self) -> None:
        """Fetch every peer's signed link key until all are known, then now and then."""
        wanted = list(self.network.peers.values())
        while not self._stop.is_set():
            for peer in wanted:
                try:
                    answer = httpx.get(f"{peer.api_url}/exchange/link-key", timeout=5)
                    answer.raise_for_status()
                except httpx.HTTPError as exc:
                    log.info("link key of %s not fetched: %s", peer.node_id, exc)
                    continue
                if self._trust(peer.node_id, answer.text):
                    try:
                        with transaction(self.sessions) as db:
                            link_of(db=db, peer=peer.node_id, link_key=answer.text)
                    except DBAPIError as exc:  # pinned in memory; stored next round
                        log.warning("link key of %s not stored: %s", peer.node_id, error_text(exc))
            wanted = [p for p in self.network.peers.values() if p.node_id not in self.link_keys]
            if wanted:
                self._stop.wait(KEY_RETRY_SECONDS)
            elif not self._stop.wait(KEY_REFRESH_SECONDS):
                wanted = list(self.network.peers.values())


class _LocalLink:
    """Deliveries to organisations this node serves: straight into its own inbox."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange

    def deliver(self, deliveries: Sequence[Delivery], timeout: float) -> list[Ack]:
        return self.exchange._receive(self.exchange.settings.node_id, deliveries)

    def close(self) -> None:
        pass
