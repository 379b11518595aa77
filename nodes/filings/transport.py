"""How a signed filing reaches the national office.

:class:`FilingTransport` is the one seam: the exchange implements it by queueing
a filing-submission envelope in its durable outbox (the receipt then comes back
as a message, see :func:`~ipfed.nodes.filings.service.accept_receipt`).
:class:`HttpTransport` posts the filing to the national node's API and gets the
receipt in the answer.
"""

from typing import Protocol

import httpx
from pydantic import ValidationError

from ipfed.nodes.config import NodeRole, NodeSettings, Peer
from ipfed.nodes.errors import ConfigurationError, IpfedError
from ipfed.nodes.filings.document import FilingRefused, SignedFiling, SignedReceipt

RECEIVE_PATH = "/filings/received"


class DeliveryFailed(IpfedError):
    """The national office could not be reached, or did not answer sensibly."""

    code = "delivery_failed"
    status_code = 502


class FilingTransport(Protocol):
    def send(self, filing: SignedFiling) -> SignedReceipt | None:
        """Deliver ``filing``; its receipt when the national office answers at once.

        Raises :class:`FilingRefused` when the national office refuses it and
        :class:`DeliveryFailed` when it cannot be delivered now.
        """
        ...


class HttpTransport:
    def __init__(self, peer: Peer, timeout: float = 30) -> None:
        if peer.api_key is None:
            raise ConfigurationError(
                f"no API key for peer {peer.node_id}: set api_key in its [[peers]] entry",
                code="no_peer_key",
            )
        self.url = peer.api_url.rstrip("/") + RECEIVE_PATH
        self.headers = {"X-API-Key": peer.api_key, "Content-Type": "application/json"}
        self.timeout = timeout

    def send(self, filing: SignedFiling) -> SignedReceipt:
        try:
            answer = httpx.post(
                self.url, content=filing.to_bytes(), headers=self.headers, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{self.url}: {exc}") from None
        if 400 <= answer.status_code < 500:
            error = _error_of(answer)
            raise FilingRefused(f"the national office refused it: {error[1]}", code=error[0])
        if answer.status_code != 200:
            raise DeliveryFailed(f"{self.url} answered {answer.status_code}")
        try:
            return SignedReceipt.model_validate_json(answer.content)
        except ValidationError as exc:
            raise DeliveryFailed(f"{self.url} answered with no receipt: {exc}") from None


def _error_of(answer: httpx.Response) -> tuple[str, str]:
    try:
        body = answer.json()
        return str(body["error"]), str(body["detail"])
    except (ValueError, KeyError, TypeError):
        return "refused", answer.text[:500]


def national_transport(settings: NodeSettings) -> HttpTransport:
    """The national node's API, from this node's peers."""
    for peer in settings.peers:
        if peer.role is NodeRole.NATIONAL:
            return HttpTransport(peer)
    raise ConfigurationError(
        "no national node among the peers: add it to node.toml's [[peers]]",
        code="no_national_peer",
    )
