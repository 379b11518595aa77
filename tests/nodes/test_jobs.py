"""The job runner: retries with back-off then a dead letter, a job whose worker died
runs again, rounds follow each other, and two workers never run one job twice."""

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ipfed.nodes.database.core import make_session_factory, transaction, utcnow
from ipfed.nodes.jobs import service
from ipfed.nodes.jobs.models import Job, JobState
from ipfed.nodes.jobs.runner import Runner, Schedule


def make_due(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as db:
        db.execute(update(Job).values(run_at=utcnow()))


def test_a_failing_job_backs_off_then_is_a_dead_letter(sessions: sessionmaker[Session]) -> None:
    def broken(_payload: dict[str, Any]) -> None:
        raise RuntimeError("secret holder name")

    runner = Runner(sessions, {"broken": broken})
    with transaction(sessions) as db:
        job_id = service.enqueue(db=db, kind="broken", payload={}, max_attempts=3).id
    delays = []
    for _attempt in range(3):
        assert runner.run_one()
        with sessions() as db:
            job = db.get_one(Job, job_id)
            if job.state is JobState.QUEUED:
                delays.append((job.run_at - utcnow()).total_seconds())
        assert not runner.run_one()  # not due before its back-off
        make_due(sessions)
    assert delays[1] > delays[0] * 1.5  # exponential
    with sessions() as db:
        job = db.get_one(Job, job_id)
    assert (job.state, job.attempts) == (JobState.DEAD, 3)
    assert job.last_error == "RuntimeError"  # its message may hold personal data
    with transaction(sessions) as db:
        assert service.retry(db=db, job_id=job_id).state is JobState.QUEUED


def test_a_job_that_cannot_succeed_fails_at_once_with_its_reason(
    sessions: sessionmaker[Session],
) -> None:
    def refuse(payload: dict[str, Any]) -> None:
        raise service.JobFailed(f"no task {payload['task_id']}")

    told: list[str] = []
    runner = Runner(sessions, {"refuse": refuse}, on_failed={"refuse": lambda j, r: told.append(r)})
    with transaction(sessions) as db:
        job_id = service.enqueue(db=db, kind="refuse", payload={"task_id": "T1"}).id
    assert runner.run_one()
    with sessions() as db:
        job = db.get_one(Job, job_id)
    assert (job.state, job.last_error) == (JobState.FAILED, "JobFailed: no task T1")
    assert told == ["JobFailed: no task T1"]


def test_a_job_whose_worker_died_runs_again(sessions: sessionmaker[Session]) -> None:
    ran: list[object] = []
    runner = Runner(sessions, {"work": lambda payload: ran.append(payload["n"])})
    with transaction(sessions) as db:
        job_id = service.enqueue(db=db, kind="work", payload={"n": 1}).id
    # A worker claimed it, then the process was killed: it stays running until its lease ends.
    assert service.claim(sessions=sessions, kinds={"work"}, lease=0.05) is not None
    assert not runner.run_one()
    time.sleep(0.1)
    assert runner.run_one()
    with sessions() as db:
        job = db.get_one(Job, job_id)
    assert (ran, job.state, job.attempts) == ([1], JobState.DONE, 2)


def test_a_keyed_job_is_stored_once(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as db:
        first = service.enqueue(db=db, kind="round", payload={}, key="every:round")
        again = service.enqueue(db=db, kind="round", payload={}, key="every:round")
        assert first.id == again.id
    with pytest.raises(IntegrityError), transaction(sessions) as db:
        db.add(
            Job(
                kind="round",
                payload={},
                key="every:round",
                state=JobState.QUEUED,
                attempts=0,
                max_attempts=1,
                run_at=utcnow(),
            )
        )


@pytest.fixture
def committed(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions that really commit, for workers in threads of their own."""
    sessions = make_session_factory(engine)
    yield sessions
    with transaction(sessions) as db:
        db.execute(delete(Job))


def wait_for(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_round_runs_again_and_again_with_one_pending_run(
    committed: sessionmaker[Session],
) -> None:
    rounds: list[int] = []
    runner = Runner(
        committed,
        {"tick": lambda _p: rounds.append(1)},
        schedules=(Schedule("tick", 0.01),),
        idle=0.01,
    )
    runner.start()
    try:
        wait_for(lambda: len(rounds) >= 3)
    finally:
        runner.stop()
    with committed() as db:
        pending = service.jobs(db=db, state=JobState.QUEUED)
    assert [job.key for job in pending] == ["every:tick"]


def test_two_workers_never_run_one_job_twice(committed: sessionmaker[Session]) -> None:
    count = 200
    ran: list[int] = []
    lock = threading.Lock()

    def work(payload: dict[str, Any]) -> None:
        with lock:
            ran.append(payload["n"])

    with transaction(committed) as db:
        for n in range(count):
            service.enqueue(db=db, kind="work", payload={"n": n})
    runners = [Runner(committed, {"work": work}, idle=0.01) for _ in range(2)]
    started = time.perf_counter()
    for runner in runners:
        runner.start()
    try:
        wait_for(lambda: len(ran) >= count)
        time.sleep(0.2)  # a second run would show here
    finally:
        for runner in runners:
            runner.stop()
    elapsed = time.perf_counter() - started
    print(f"{count} jobs by two workers in {elapsed:.2f} s ({count / elapsed:.0f} jobs/s)")
    assert sorted(ran) == list(range(count))
    with committed() as db:
        assert {job.state for job in service.jobs(db=db, limit=count)} == {JobState.DONE}
