"""The node's one worker: runs stored jobs by kind, and the periodic rounds as jobs.

Handlers are plain functions of the job's payload. One that raises ``JobFailed``
fails the job at once; any other error retries it with back-off, then leaves it
``dead`` with its reason. A job whose worker died (kill -9, power cut) is taken
again once its lease runs out, so nothing stays queued or running after a restart.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from ipfed.nodes.database.core import transaction, utcnow
from ipfed.nodes.jobs import service
from ipfed.nodes.jobs.models import Job, JobState

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], object]
KEEP_FINISHED_ROUNDS = timedelta(days=1)


@dataclass(frozen=True)
class Schedule:
    """A round: the job ``kind`` runs every ``seconds``, one pending run at a time."""

    kind: str
    seconds: float
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"every:{self.kind}"


class Runner:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        handlers: dict[str, Handler],
        *,
        schedules: tuple[Schedule, ...] = (),
        lease: float = 60.0,
        idle: float = 0.5,
        workers: int = 1,
        on_failed: dict[str, Callable[[Job, str], object]] | None = None,
    ) -> None:
        self.sessions = sessions
        self.handlers = handlers
        self.schedules = {s.kind: s for s in schedules}
        self.lease, self.idle, self.workers = lease, idle, workers
        # Told when a job of its kind ends failed or dead, to record it in its domain.
        self.on_failed = on_failed or {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Plan the first run of each round (one already pending from before a restart
        stands), drop the rounds no longer configured, and start the workers."""
        with transaction(self.sessions) as db:
            keys = [s.key for s in self.schedules.values()]
            db.execute(
                delete(Job).where(
                    Job.key.startswith("every:"), Job.key.not_in(keys), Job.state == JobState.QUEUED
                )
            )
            for schedule in self.schedules.values():
                service.enqueue(
                    db=db,
                    kind=schedule.kind,
                    payload=schedule.payload,
                    key=schedule.key,
                    run_at=utcnow() + timedelta(seconds=schedule.seconds),
                    max_attempts=1,
                )
        for number in range(self.workers):
            thread = threading.Thread(target=self._loop, name=f"ipfed-jobs-{number}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self.run_one()
            except Exception:  # the database is away: wait and try again
                log.exception("job runner round crashed")
                ran = False
            if not ran:
                self._stop.wait(self.idle)

    def run_one(self) -> bool:
        """Claim and run one due job; False when none was due."""
        job = service.claim(sessions=self.sessions, kinds=set(self.handlers), lease=self.lease)
        if job is None:
            return False
        beat = threading.Event()
        heart = threading.Thread(target=self._heartbeat, args=(job, beat), daemon=True)
        heart.start()
        try:
            self.handlers[job.kind](job.payload)
        except Exception as exc:
            retry = not isinstance(exc, service.JobFailed)
            log.warning(
                "job %s (%s) attempt %d failed", job.id, job.kind, job.attempts, exc_info=exc
            )
            self._finish(job, service.reason(exc), retry=retry)
        else:
            self._finish(job, None, retry=False)
        finally:
            beat.set()
            heart.join()
        return True

    def _heartbeat(self, job: Job, stop: threading.Event) -> None:
        while not stop.wait(self.lease / 3):
            try:
                service.renew(sessions=self.sessions, job=job, lease=self.lease)
            except Exception:
                log.exception("could not renew the lease of job %s", job.id)

    def _finish(self, job: Job, reason: str | None, *, retry: bool) -> None:
        schedule = self.schedules.get(job.kind) if job.key else None
        with transaction(self.sessions) as db:
            if reason is None:
                state = JobState.DONE if service.succeed(db=db, job=job) else None
            else:
                state = service.fail(db=db, job=job, reason=reason, retry=retry and not schedule)
            if schedule is not None:
                self._next_round(db, job, schedule)
        ended = state in (JobState.FAILED, JobState.DEAD)
        if reason is not None and ended and job.kind in self.on_failed:
            self.on_failed[job.kind](job, reason)

    def _next_round(self, db: Session, job: Job, schedule: Schedule) -> None:
        # The finished run gives its key to the next one, in the same transaction.
        db.execute(update(Job).where(Job.id == job.id).values(key=None))
        service.enqueue(
            db=db,
            kind=schedule.kind,
            payload=schedule.payload,
            key=schedule.key,
            run_at=utcnow() + timedelta(seconds=schedule.seconds),
            max_attempts=1,
        )
        db.execute(
            delete(Job).where(
                Job.kind == schedule.kind,
                Job.state == JobState.DONE,
                Job.finished_at < utcnow() - KEEP_FINISHED_ROUNDS,
            )
        )
