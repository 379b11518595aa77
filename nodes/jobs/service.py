"""Storing jobs and moving them through their states; every change is one conditional
UPDATE, so two workers (threads or processes, SQLite or PostgreSQL) never both win."""

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Update, or_, select, update
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.errors import CodedError
from ipfed.nodes.database.core import transaction, utcnow
from ipfed.nodes.errors import Conflict, NotFound
from ipfed.nodes.jobs.models import Job, JobState

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 5.0  # doubled on every failed attempt
MAX_BACKOFF_SECONDS = 3600.0


class JobFailed(Exception):
    """Raised by a handler when retrying cannot help: the job fails at once."""


def enqueue(
    *,
    db: Session,
    kind: str,
    payload: dict[str, Any],
    run_at: datetime | None = None,
    key: str | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> Job:
    """Store a job to run at ``run_at`` (now by default). A job with a ``key`` is
    stored once: while one with that key is pending, that one is returned."""
    if key is not None:
        pending = db.scalars(select(Job).where(Job.key == key)).first()
        if pending is not None:
            return pending
    job = Job(
        kind=kind,
        payload=payload,
        key=key,
        state=JobState.QUEUED,
        attempts=0,
        max_attempts=max_attempts,
        run_at=run_at or utcnow(),
    )
    db.add(job)
    db.flush()
    return job


def _changed(db: Session, statement: Update) -> int:
    """How many rows an UPDATE changed: 1 for the worker that won, 0 for the others."""
    return cast(CursorResult[Any], db.execute(statement)).rowcount


def _due(now: datetime) -> Any:
    queued = (Job.state == JobState.QUEUED) & (Job.run_at <= now)
    abandoned = (Job.state == JobState.RUNNING) & (Job.lease_until < now)
    return or_(queued, abandoned)


def claim(*, sessions: sessionmaker[Session], kinds: set[str], lease: float) -> Job | None:
    """Take the next due job (or one whose worker died) and mark it running."""
    now = utcnow()
    with transaction(sessions) as db:
        candidates = db.scalars(
            select(Job.id).where(_due(now), Job.kind.in_(kinds)).order_by(Job.run_at).limit(8)
        ).all()
    for job_id in candidates:
        with transaction(sessions) as db:
            won = _changed(
                db,
                update(Job)
                .where(Job.id == job_id, _due(now))
                .values(
                    state=JobState.RUNNING,
                    attempts=Job.attempts + 1,
                    lease_until=now + timedelta(seconds=lease),
                ),
            )
            if won == 1:
                return db.get_one(Job, job_id, populate_existing=True)
    return None


def _mine(job: Job) -> Any:
    # The attempt number fences a worker whose lease ran out and whose job moved on.
    return (Job.id == job.id) & (Job.state == JobState.RUNNING) & (Job.attempts == job.attempts)


def renew(*, sessions: sessionmaker[Session], job: Job, lease: float) -> None:
    with transaction(sessions) as db:
        db.execute(
            update(Job).where(_mine(job)).values(lease_until=utcnow() + timedelta(seconds=lease))
        )


def succeed(*, db: Session, job: Job) -> bool:
    done = update(Job).where(_mine(job)).values(state=JobState.DONE, finished_at=utcnow())
    return _changed(db, done) == 1


def fail(*, db: Session, job: Job, reason: str, retry: bool) -> JobState:
    """Put the job back with back-off, or end it: ``failed`` when retrying cannot help,
    ``dead`` when its attempts are used up."""
    if retry and job.attempts < job.max_attempts:
        delay = min(BACKOFF_SECONDS * 2 ** (job.attempts - 1), MAX_BACKOFF_SECONDS)
        values: dict[str, Any] = {
            "state": JobState.QUEUED,
            "run_at": utcnow() + timedelta(seconds=delay),
        }
    else:
        state = JobState.DEAD if retry else JobState.FAILED
        values = {"state": state, "finished_at": utcnow()}
    db.execute(update(Job).where(_mine(job)).values(last_error=reason[:2000], **values))
    return values["state"]  # type: ignore[no-any-return]


def reason(exc: BaseException) -> str:
    """Why a job failed, for the table: our errors say it in words chosen for clients;
    anything else is named by its type only, since a driver's message may quote the
    rows it was writing (names, credit codes). The log keeps the traceback."""
    if isinstance(exc, CodedError | JobFailed):
        return f"{type(exc).__name__}: {exc}"
    if isinstance(exc, StatementError) and exc.orig is not None:
        return f"database error ({type(exc.orig).__name__})"
    return type(exc).__name__


def jobs(*, db: Session, state: JobState | None = None, limit: int = 100) -> list[Job]:
    query = select(Job).order_by(Job.created_at.desc()).limit(limit)
    if state is not None:
        query = query.where(Job.state == state)
    return list(db.scalars(query))


def retry(*, db: Session, job_id: str) -> Job:
    """Queue a dead or failed job again, with its attempts counted afresh."""
    job = db.get(Job, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}", code="job_not_found")
    if job.state not in (JobState.DEAD, JobState.FAILED):
        raise Conflict(f"job {job_id} is {job.state}", code="job_not_ended")
    job.state, job.attempts, job.run_at, job.finished_at = JobState.QUEUED, 0, utcnow(), None
    return job
