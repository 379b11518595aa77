"""The screener of the node's register as it is now, kept between requests.

Building one (the trademark detector's indexes above all) takes seconds for a
large register: too long for a platform screening one listing on the spot or
an organizer registering a fair. Rights and licences are only ever added (by
imports), so their counts and newest ids, with the day (licences and patents
lapse by date), tell when the register has changed.
"""

import threading
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipfed.detection.screening import Screener
from ipfed.nodes.detection.service import load_register
from ipfed.nodes.licences.models import Licence
from ipfed.nodes.rights.models import Right

_lock = threading.Lock()
_kept: tuple[tuple[object, ...], Screener] | None = None  # one register: they are large


def current_screener(db: Session) -> Screener:
    global _kept
    today = date.today()
    key = _register_key(db, today)
    with _lock:  # requests arriving meanwhile wait for this build rather than start their own
        if _kept is None or _kept[0] != key:
            _kept = key, Screener(load_register(db=db), today=today)
        return _kept[1]


def _register_key(db: Session, today: date) -> tuple[object, ...]:
    rights = db.execute(select(func.count(Right.id), func.max(Right.id))).one()
    licences = db.execute(select(func.count(Licence.id), func.max(Licence.id))).one()
    return (str(db.get_bind().engine.url), today, *rights, *licences)
