"""What a running node does on its own, every ``marks_follow_seconds``: bring its marks'
status in line with the rights and licences they mark, and fetch its peers' status
lists, with which it checks the marks other offices issued (at fairs, for one)."""

import logging

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.errors import LedgerError
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import transaction, utcnow
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.identity import node_identity
from ipfed.nodes.marks.status import follow_rights
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
    """Cache the status lists of every other office whose certificate names its node
    (fetched from there, as a platform does); the number of offices refreshed."""
    if not (settings.identity_dir / "org.key").exists():
        return 0
    identity = node_identity(settings)
    verifier = Verifier(identity.bundle, cache_dir=settings.status_lists_dir)
    refreshed = 0
    for key_id in identity.bundle.by_key_id:
        if key_id == identity.key_id or identity.bundle.node_url(key_id) is None:
            continue
        try:
            verifier.refresh(key_id)
            refreshed += 1
        except VerificationError as exc:  # a node down: the cached lists serve until stale
            log.warning("status lists of %s… not refreshed: %s", key_id[:16], exc.message)
    return refreshed


def follow_round(settings: NodeSettings, sessions: sessionmaker[Session]) -> None:
    """The marks first, then the peers' status lists."""
    follow_once(settings, sessions)
    refresh_peer_status(settings)
