"""How a signed filing reaches the national office.

:class:`FilingTransport` is the one seam. The exchange implements it by queueing a
filing-submission envelope in its durable outbox, in the caller's transaction; the
receipt comes back as a message (see ``ipfed.nodes.filings.exchange``).
:class:`HttpTransport` posts the filing to the national node's API and gets the
receipt in the answer.
"""

from typing import Protocol

import httpx
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ipfed.nodes.config import NodeRole, NodeSettings, Peer
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.filings.document import FilingRefused, SignedFiling, SignedReceipt

RECEIVE_PATH = "/filings/received"


class DeliveryFailed(IpfedError):
    """The national office could not be reached, or did not answer sensibly."""

    code = "delivery_failed"
    status_code = 502


class FilingTransport(Protocol):
    def send(self, db: Session, filing: SignedFiling) -> SignedReceipt | None:
        """Deliver ``filing``; its receipt when the national office answers at once.

        Raises :class:`FilingRefused` when the national office refuses it and
        :class:`DeliveryFailed` when it cannot be delivered now.
        """
        ...


class HttpTransport:
    """Posts to the national node's API with this node's key on it (its [[peers]] entry)."""

    def __init__(self, peer: Peer | None, timeout: float = 30) -> None:
        self.peer = peer
        self.timeout = timeout

    def send(self, db: Session, filing: SignedFiling) -> SignedReceipt:
        peer = self.peer
        if peer is None or peer.api_key is None:
            raise DeliveryFailed(
                "no national node with an API key among the peers: add it to node.toml's [[peers]]",
                code="no_national_peer",
            )
        url = peer.api_url.rstrip("/") + RECEIVE_PATH
        headers = {"X-API-Key": peer.api_key, "Content-Type": "application/json"}
        try:
            answer = httpx.post(
                url, content=filing.to_bytes(), headers=headers, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{url}: {exc}") from None
        if answer.status_code in (401, 403):  # our key on the national node, not the filing
            raise DeliveryFailed(f"{url} answered {answer.status_code}: {_error_of(answer)[1]}")
        if 400 <= answer.status_code < 500:
            code, detail = _error_of(answer)
            raise FilingRefused(f"the national office refused it: {detail}", code=code)
        if answer.status_code != 200:
            raise DeliveryFailed(f"{url} answered {answer.status_code}")
        try:
            return SignedReceipt.model_validate_json(answer.content)
        except ValidationError as exc:
            raise DeliveryFailed(f"{url} answered with no receipt: {exc}") from None


def _error_of(answer: httpx.Response) -> tuple[str, str]:
    try:
        body = answer.json()
        return str(body["error"]), str(body["detail"])
    except (ValueError, KeyError, TypeError):
        return "refused", answer.text[:500]


def national_transport(settings: NodeSettings) -> HttpTransport:
    """The national node's API, as this node's peers name it."""
    national = (p for p in settings.peers if p.role is NodeRole.NATIONAL)
    return HttpTransport(next(national, None))
