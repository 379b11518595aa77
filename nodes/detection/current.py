"""The screener of the node's register as it is now, kept between requests.

Building one (the trademark detector's indexes above all) takes seconds for a
large register: too long for a platform screening one listing on the spot or
an organizer registering a fair. Rights and licences are only ever added (by
imports), so their counts and newest ids, with the day (licences and patents
lapse by date), tell when the register has changed.

The app keeps the screener (:func:`keep_screener`, in ``app.state.screener``) and
hands it to the sessions it makes, so whatever screens within a request (the
detection API, a fair's registration) finds it through its session; a session made
elsewhere (a command, a script) builds a screener of its own.
"""

import threading
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ipfed.detection.screening import Screener
from ipfed.nodes.detection.service import load_register
from ipfed.nodes.licences.models import Licence
from ipfed.nodes.rights.models import Right

KEPT = "ipfed.kept_screener"  # where a session's info holds its app's KeptScreener


class KeptScreener:
    """One register's screener (they are large), rebuilt when the register changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[tuple[object, ...], Screener] | None = None

    def screener(self, db: Session) -> Screener:
        today = date.today()
        key = _register_key(db, today)
        with (
            self._lock
        ):  # requests arriving meanwhile wait for this build rather than start their own
            if self._kept is None or self._kept[0] != key:
                self._kept = key, Screener(load_register(db=db), today=today)
            return self._kept[1]


def keep_screener(sessions: sessionmaker[Session]) -> KeptScreener:
    """Keep one screener for the sessions ``sessions`` makes (one database's)."""
    kept = KeptScreener()
    sessions.configure(info={**sessions.kw.get("info", {}), KEPT: kept})
    return kept


def current_screener(*, db: Session) -> Screener:
    kept = db.info.get(KEPT)
    if isinstance(kept, KeptScreener):
        return kept.screener(db)
    return Screener(load_register(db=db), today=date.today())


def _register_key(db: Session, today: date) -> tuple[object, ...]:
    rights = db.execute(select(func.count(Right.id), func.max(Right.id))).one()
    licences = db.execute(select(func.count(Licence.id), func.max(Licence.id))).one()
    return (today, *rights, *licences)
