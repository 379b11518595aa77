"""The retention round: erases what is past its retention period, one batch per
transaction, and records the counts of the round (a round that found nothing leaves
no record). Run by the node's job runner every ``privacy_round_seconds``."""

import logging
from collections import Counter

from sqlalchemy.orm import Session, sessionmaker

from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import transaction, utcnow
from ipfed.nodes.privacy.service import (
    BATCH,
    Progress,
    Retention,
    erase_expired,
    record_retention,
)

log = logging.getLogger(__name__)


def retention_round(
    settings: NodeSettings, sessions: sessionmaker[Session], *, limit: int = BATCH
) -> dict[str, int]:
    """Erase everything past its retention period now; the counts per kind."""
    retention, now = Retention.of(settings), utcnow()
    total: Counter[str] = Counter()
    erasure_id: str | None = None
    progress = Progress()
    while progress.more:
        with transaction(sessions) as db:
            counts = erase_expired(
                db=db, retention=retention, now=now, limit=limit, progress=progress
            )
            if counts:
                erasure_id = record_retention(db=db, erasure_id=erasure_id, counts=counts)
        total.update(counts)
    if total:
        log.info("personal data past retention erased: %s", dict(total))
    return dict(total)
