"""What a running node does on its own, every ``ledger_sync_seconds``: have its
latest checkpoint witnessed by its peers, and follow the peers' checkpoints."""

import logging

import httpx
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.errors import LedgerError
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.witnessing import request_witness
from ipfed.nodes.witness.gossip import gossip

log = logging.getLogger(__name__)


def sync_once(settings: NodeSettings, sessions: sessionmaker[Session]) -> None:
    """One round; failures are logged, never raised (the next round tries again)."""
    if not settings.peers or not (settings.identity_dir / "org.key").exists():
        return
    try:
        bundle = node_identity(settings).bundle
        if any(peer.api_key for peer in settings.peers):
            request_witness(sessions=sessions, settings=settings)
        for report in gossip(sessions=sessions, peers=settings.peers, bundle=bundle):
            if report.outcome in ("split_view", "rolled_back"):
                log.error("%s of %s seen at %s", report.outcome, report.origin, report.node_id)
    except (IpfedError, LedgerError, OSError, httpx.HTTPError, OperationalError) as exc:
        # Peers down, a busy database: transient; the next round tries again.
        log.warning("ledger sync round failed: %s", exc)
