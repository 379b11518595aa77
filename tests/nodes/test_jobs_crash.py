"""kill -9 during a job: after the restart every job ends, none stays queued or running.

A real worker process runs jobs from a node's SQLite database and is killed with
SIGKILL while one job runs and others wait; a new runner then finishes them all.
"""

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.database.migrate import upgrade
from ipfed.nodes.jobs import service
from ipfed.nodes.jobs.models import Job, JobState
from ipfed.nodes.jobs.runner import Runner

pytestmark = pytest.mark.integration

WORKER = """
import sys, time
from ipfed.nodes.database.core import make_engine, make_session_factory
from ipfed.nodes.jobs.runner import Runner

def slow(payload):
    print("running", payload["n"], flush=True)
    time.sleep(3600)

sessions = make_session_factory(make_engine(sys.argv[1]))
runner = Runner(sessions, {"work": slow}, lease=1.0, idle=0.05)
runner.start()
time.sleep(3600)
"""


def test_jobs_outlive_a_killed_worker(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'node.db'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with transaction(sessions) as db:
        for n in range(3):
            service.enqueue(db=db, kind="work", payload={"n": n})
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().split() == ["running", "0"]
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    with sessions() as db:
        states = sorted(job.state for job in db.scalars(select(Job)))
    assert states == [JobState.QUEUED, JobState.QUEUED, JobState.RUNNING]

    ran: list[Any] = []
    restarted = Runner(sessions, {"work": lambda payload: ran.append(payload["n"])})
    deadline = time.monotonic() + 10
    while len(ran) < 3:  # the killed worker's job comes back once its lease ends
        assert time.monotonic() < deadline, ran
        if not restarted.run_one():
            time.sleep(0.1)
    with sessions() as db:
        jobs = list(db.scalars(select(Job)))
    assert sorted(ran) == [0, 1, 2]
    assert {job.state for job in jobs} == {JobState.DONE}
    assert max(job.attempts for job in jobs) == 2  # the one that was running, run again
