"""How batches of envelopes travel between nodes: a :class:`Transport` protocol,
and an in-memory implementation for nodes that share one process.

A sender hands a peer's :class:`Link` a batch of deliveries (a per-link
sequence number and the envelope's bytes) and gets one :class:`Ack` per
delivery back; a link that does not answer raises
:class:`~ipfed.exchange.errors.LinkDown`. A receiver serves a
:data:`Receive` callback that is told which peer a batch came from (the
transport authenticates it) and returns the acks.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, TypeAdapter

from ipfed.exchange.errors import LinkDown


@dataclass(frozen=True)
class Delivery:
    seq: int
    envelope: bytes


class AckStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # received before: not applied again
    REFUSED = "refused"


class Ack(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int
    status: AckStatus
    code: str | None = None
    reason: str | None = None


ACKS = TypeAdapter(list[Ack])

# (the authenticated peer's node id, its deliveries in order) -> one ack per delivery
Receive = Callable[[str, Sequence[Delivery]], list[Ack]]


@dataclass(frozen=True)
class PeerAddress:
    node_id: str
    endpoint: str
    link_key: str  # the peer's transport public key (Z85 CURVE key for ZeroMQ)


class Link(Protocol):
    """The sending side of one connection to a peer, used by one thread."""

    def deliver(self, deliveries: Sequence[Delivery], timeout: float) -> list[Ack]: ...

    def close(self) -> None: ...


class Transport(Protocol):
    def serve(self, receive: Receive) -> None:
        """Start accepting batches in the background."""

    def link(self, peer: PeerAddress) -> Link: ...

    def close(self) -> None: ...


class MemoryNetwork:
    """Endpoints of the transports of one process."""

    def __init__(self) -> None:
        self.servers: dict[str, Receive] = {}


class MemoryTransport:
    """Delivers by calling the receiver directly: for nodes in one process."""

    def __init__(self, network: MemoryNetwork, node_id: str, endpoint: str) -> None:
        self.network = network
        self.node_id = node_id
        self.endpoint = endpoint

    def serve(self, receive: Receive) -> None:
        self.network.servers[self.endpoint] = receive

    def link(self, peer: PeerAddress) -> Link:
        return _MemoryLink(self, peer.endpoint)

    def close(self) -> None:
        self.network.servers.pop(self.endpoint, None)


@dataclass
class _MemoryLink:
    transport: MemoryTransport
    endpoint: str

    def deliver(self, deliveries: Sequence[Delivery], timeout: float) -> list[Ack]:
        receive = self.transport.network.servers.get(self.endpoint)
        if receive is None:
            raise LinkDown(f"nothing listens at {self.endpoint}")
        return receive(self.transport.node_id, deliveries)

    def close(self) -> None:
        pass
