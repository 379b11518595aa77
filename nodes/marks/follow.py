"""What a running node does on its own, every ``marks_follow_seconds``: bring its marks'
status in line with the rights and licences they mark, and fetch its peers' status
lists, with which it checks the marks other offices issued (at fairs, for one)."""

import logging
from functools import partial

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.errors import LedgerError
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import transaction, utcnow
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.identity import node_identity
from ipfed.nodes.marks.status import follow_rights
from ipfed.nodes.rounds import every
from ipfed.registry.errors import VerificationError
from ipfed.sdk.verify import Verifier

log = logging.getLogger(__name__)


def follow_once(settings: NodeSettings, sessions: sessionmaker[Session]) -> int:
    """One round: the number of marks changed. Failures are logged; the next round retries."""
    try:
        with transaction(sessions) as db:
            changed = follow_rights(db=db, settings=settings, today=utcnow().date())
    except (IpfedError, LedgerError, OperationalError) as exc:
        log.warning("marks follow round failed: %s", exc)
        return 0
    for mark in changed:
        log.info("mark %s is now %s: %s", mark.id, mark.status, mark.status_reason)
    return len(changed)


def refresh_peer_status(settings: NodeSettings) -> int:
    """Cache every peer office's status lists; the number of peers refreshed."""
    if not settings.peers or not (settings.identity_dir / "org.key").exists():
        return 0
    verifier = Verifier(node_identity(settings).bundle, cache_dir=settings.status_lists_dir)
    refreshed = 0
    for peer in settings.peers:
        try:
            verifier.refresh(peer.api_url)
            refreshed += 1
        except VerificationError as exc:  # a peer down: the cached lists serve until stale
            log.warning("status lists of %s not refreshed: %s", peer.node_id, exc.message)
    return refreshed


def follow_round(settings: NodeSettings, sessions: sessionmaker[Session]) -> None:
    """The marks first, then the peers' status lists."""
    follow_once(settings, sessions)
    refresh_peer_status(settings)


async def follow_forever(settings: NodeSettings, sessions: sessionmaker[Session]) -> None:
    work = partial(follow_round, settings, sessions)
    await every(settings.marks_follow_seconds, work, name="marks follow round", logger=log)
