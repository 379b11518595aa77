"""What a running node does on its own for filings, every ``filings_round_seconds``: a
regional node sends again what it signed and the national office has not yet
acknowledged, and every node logs a reminder of the filings overdue or due soon."""

import logging

from sqlalchemy.orm import Session, sessionmaker

from ipfed.nodes.config import NodeRole, NodeSettings
from ipfed.nodes.database.core import transaction, utcnow
from ipfed.nodes.filings.calendar import node_calendar
from ipfed.nodes.filings.models import Filing
from ipfed.nodes.filings.schemas import ObligationOut
from ipfed.nodes.filings.service import deliver_pending, reminders
from ipfed.nodes.filings.transport import FilingTransport

log = logging.getLogger(__name__)


def filings_round(
    settings: NodeSettings, sessions: sessionmaker[Session], transport: FilingTransport
) -> tuple[list[Filing], list[ObligationOut]]:
    """The filings acknowledged in this round, and the reminders it raised."""
    delivered = []
    if settings.role is NodeRole.REGIONAL:
        delivered = deliver_pending(sessions=sessions, settings=settings, transport=transport)
    with transaction(sessions) as db:
        due = reminders(db=db, settings=settings, calendar=node_calendar(settings), now=utcnow())
    for filing in delivered:
        log.info("filing %s (%s %s) acknowledged", filing.id, filing.kind, filing.period)
    if due:
        log.warning(
            "filings overdue or due soon: %s",
            "; ".join(
                f"{o.region_name} {o.kind} {o.period} {o.standing} (due {o.due})" for o in due
            ),
        )
    return delivered, due
