"""What a running node does on its own, every ``marks_follow_seconds``: bring its marks'
status in line with the rights and licences they mark."""

import asyncio
import logging

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.errors import LedgerError
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import transaction, utcnow
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.marks.service import follow_rights

log = logging.getLogger(__name__)


def follow_once(settings: NodeSettings, sessions: sessionmaker[Session]) -> int:
    """One round: the number of marks changed. Failures are logged; the next round retries."""
    try:
        with transaction(sessions) as db:
            changed = follow_rights(db, settings, utcnow().date())
    except (IpfedError, LedgerError, OperationalError) as exc:
        log.warning("marks follow round failed: %s", exc)
        return 0
    for mark in changed:
        log.info("mark %s is now %s: %s", mark.id, mark.status, mark.status_reason)
    return len(changed)


async def follow_forever(settings: NodeSettings, sessions: sessionmaker[Session]) -> None:
    while True:
        await asyncio.sleep(settings.marks_follow_seconds)
        try:
            await asyncio.to_thread(follow_once, settings, sessions)
        except Exception:  # the loop must outlive any one round
            log.exception("marks follow round crashed")
