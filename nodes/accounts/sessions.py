"""Console sessions: server-side, revocable, ended by idleness or age.

The browser's cookie holds a random secret; the node keeps only its SHA-256, so a
copy of the database signs nobody in. Signing out, disabling the account or
resetting its password ends its sessions at once.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ipfed.nodes.accounts.models import Account, ConsoleSession
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.errors import Unauthenticated

# How stale last_seen_at may grow before a request writes it again: a read of a page
# need not write the database every time.
TOUCH_EVERY = timedelta(seconds=60)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    *,
    db: Session,
    settings: NodeSettings,
    account: Account,
    now: datetime,
    enrolment_pending: bool = False,
) -> tuple[ConsoleSession, str]:
    """A new session of ``account``; the cookie's secret is returned here only."""
    token = secrets.token_urlsafe(32)
    session = ConsoleSession(
        token_hash=_digest(token),
        account_id=account.id,
        account=account,
        csrf_token=secrets.token_urlsafe(32),
        enrolment_pending=enrolment_pending,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_lifetime_hours),
    )
    db.add(session)
    db.flush()
    return session, token


def find_session(
    *, db: Session, settings: NodeSettings, token: str, now: datetime
) -> ConsoleSession:
    """The live session of this cookie, or Unauthenticated (ended, idle too long, too
    old, or its account disabled)."""
    session = db.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == _digest(token)))
    if session is None or session.ended_at is not None:
        raise Unauthenticated("sign in to the console", code="no_session")
    idle_until = session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if now >= session.expires_at or now >= idle_until or session.account.disabled_at:
        raise Unauthenticated("the session has ended; sign in again", code="session_expired")
    return session


def is_stale(session: ConsoleSession, now: datetime) -> bool:
    return now - session.last_seen_at >= TOUCH_EVERY


def touch_session(*, db: Session, session_id: str, now: datetime) -> None:
    db.execute(
        update(ConsoleSession).where(ConsoleSession.id == session_id).values(last_seen_at=now)
    )


def end_session(*, db: Session, session_id: str, now: datetime) -> None:
    db.execute(
        update(ConsoleSession)
        .where(ConsoleSession.id == session_id, ConsoleSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_sessions_of(*, db: Session, account_id: str, now: datetime) -> None:
    db.execute(
        update(ConsoleSession)
        .where(ConsoleSession.account_id == account_id, ConsoleSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def finish_enrolment(*, db: Session, session_id: str) -> None:
    db.execute(
        update(ConsoleSession)
        .where(ConsoleSession.id == session_id)
        .values(enrolment_pending=False)
    )
