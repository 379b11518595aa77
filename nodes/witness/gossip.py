"""Gossip: fetch each peer's latest signed checkpoint, check it against the largest
one seen before with a consistency proof from the peer, and raise an alarm on a
split view (two roots at one size, or no valid consistency proof) or a rollback (an
older checkpoint than the peer showed before)."""

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.errors import LedgerError
from ipfed.ledger.note import SignedNote
from ipfed.ledger.owner import verify_checkpoint
from ipfed.ledger.trust import TrustBundle
from ipfed.ledger.witness import RolledBack, SplitView, compare
from ipfed.nodes.config import Peer
from ipfed.nodes.database.core import transaction
from ipfed.nodes.witness.models import KnownCheckpoint
from ipfed.nodes.witness.service import raise_alarm, remember

log = logging.getLogger(__name__)
ClientFor = Callable[[Peer], httpx.Client]


@dataclass(frozen=True)
class PeerReport:
    node_id: str
    origin: str | None
    size: int | None
    outcome: str  # "consistent", "first_seen", "split_view", "rolled_back" or an error code


def http_client(peer: Peer) -> httpx.Client:
    headers = {"X-API-Key": peer.api_key} if peer.api_key else {}
    return httpx.Client(base_url=peer.api_url, headers=headers, timeout=10)


def gossip(
    *,
    sessions: sessionmaker[Session],
    peers: list[Peer],
    bundle: TrustBundle,
    client_for: ClientFor = http_client,
) -> list[PeerReport]:
    """Follow every peer; each one in its own short transaction, none held over a call."""
    reports = []
    for peer in peers:
        try:
            with client_for(peer) as http:
                reports.append(_exchange(sessions, peer, http, bundle))
        except (httpx.HTTPError, LedgerError, ValueError) as exc:
            code = getattr(exc, "code", "unreachable")
            log.warning("gossip with %s failed: %s", peer.node_id, exc)
            reports.append(PeerReport(peer.node_id, None, None, code))
    return reports


def _exchange(
    sessions: sessionmaker[Session], peer: Peer, http: httpx.Client, bundle: TrustBundle
) -> PeerReport:
    answer = http.get("/ledger/checkpoint")
    if answer.status_code == 404:
        return PeerReport(peer.node_id, None, None, "no_checkpoint")
    answer.raise_for_status()
    note = SignedNote.parse(answer.text)
    seen = verify_checkpoint(note, bundle).checkpoint
    with transaction(sessions) as db:
        known = db.get(KnownCheckpoint, seen.origin)
        before = known.checkpoint if known else None
    proof: list[bytes] = []
    if before and 0 < min(before.size, seen.size) < max(before.size, seen.size):
        sizes = {"first": min(before.size, seen.size), "second": max(before.size, seen.size)}
        reply = http.get("/ledger/consistency", params=sizes)
        if reply.is_success:
            proof = [base64.b64decode(h) for h in reply.json().get("proof", [])]
    with transaction(sessions) as db:
        known = db.get(KnownCheckpoint, seen.origin)
        if known is None:
            remember(db=db, checkpoint=seen, note=note)
            return PeerReport(peer.node_id, seen.origin, seen.size, "first_seen")
        try:
            compare(known.checkpoint, seen, proof)
            if seen.size < known.size:
                raise RolledBack(f"{seen.origin} shows size {seen.size}, after {known.size}")
        except SplitView as exc:
            exc.evidence = {
                "origin": seen.origin,
                "known": known.note,
                "presented": str(note),
                "proof": [base64.b64encode(p).decode() for p in proof],
            }
            raise_alarm(db=db, split=exc)
            return PeerReport(peer.node_id, seen.origin, seen.size, exc.code)
        remember(db=db, checkpoint=seen, note=note)
    return PeerReport(peer.node_id, seen.origin, seen.size, "consistent")
