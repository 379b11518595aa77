"""Concurrent requests on a file SQLite database: writers wait for one another
(busy_timeout) instead of failing, and readers wait for no one."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rights import warrior
from sample import import_sample
from sqlalchemy import Engine, text

from ipfed.nodes.app import create_app
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.database.migrate import upgrade

WRITERS = 16


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'node.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def node(sqlite_file: Engine, office: NodeSettings) -> Iterator[tuple[TestClient, str, str]]:
    """A node on its own file database, with a right to mark and the office's key."""
    with transaction(make_session_factory(sqlite_file)) as db:
        right = warrior()
        db.add(right)
        _, key = create_api_key(db=db, org=office.org_name, role=Role.REGIONAL)
        db.flush()
        right_id = right.id
    app = create_app(office.model_copy(update={"ledger_sync_seconds": 0}), sqlite_file)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, key, right_id


def test_parallel_writers_all_succeed(node: tuple[TestClient, str, str]) -> None:
    client, key, right_id = node
    body = {"right_id": right_id, "holder_uscc": "91310115MA1FL3QX0F"}

    def issue(_: int) -> int:
        return client.post("/marks", json=body, headers={"X-API-Key": key}).status_code

    with ThreadPoolExecutor(WRITERS) as pool:
        statuses = list(pool.map(issue, range(WRITERS)))
    assert statuses == [201] * WRITERS


def test_readers_do_not_wait_for_a_writer(
    node: tuple[TestClient, str, str], sqlite_file: Engine
) -> None:
    client, key, _ = node
    with sqlite_file.connect() as writer, writer.begin():
        writer.execute(text("UPDATE api_keys SET org = org"))  # holds the write lock
        # The lock is held until the answer is in: a reader that needed it would give up
        # after busy_timeout with a 503.
        response = client.get("/marks", headers={"X-API-Key": key})
    assert response.status_code == 200


def test_a_route_writing_in_its_own_transactions_does_not_wait_for_its_request(
    node: tuple[TestClient, str, str],
) -> None:
    # Launching a detection task stores it in a transaction of its own: the request's
    # authentication must not hold the write lock meanwhile.
    client, key, _ = node
    launched = client.post(
        "/detection/tasks", json={"rights": ["4410392"]}, headers={"X-API-Key": key}
    )
    assert launched.status_code == 202, launched.text  # not 503 after busy_timeout


def test_evidence_waits_for_a_writer_instead_of_failing(
    sqlite_file: Engine, office: NodeSettings
) -> None:
    sessions = make_session_factory(sqlite_file)
    with transaction(sessions) as db:
        import_sample(db)
        _, key = create_api_key(db=db, org=office.org_name, role=Role.REGIONAL)
    app = create_app(office.model_copy(update={"jobs_poll_seconds": 0}), sqlite_file)
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = {"X-API-Key": key}
        client.post("/detection/tasks", json={"rights": ["1587423"]}, headers=headers)
        while app.state.jobs.run_one():
            pass
        lead = client.get("/detection/queue", headers=headers).json()["items"][0]
        review = {"decision": "confirm", "reason": "兎 for 兔"}
        client.post(f"/detection/leads/{lead['id']}/review", json=review, headers=headers)
        # The lead is past the latest checkpoint: its receipt signs a new one. Another
        # writer holds the lock and commits meanwhile: a request that began as a reader
        # would find its snapshot stale when it came to write, and answer 503.
        with sqlite_file.connect() as writer:
            writing = writer.begin()
            writer.execute(text("UPDATE api_keys SET org = org"))  # holds the write lock
            release = threading.Timer(0.5, writing.commit)
            release.start()
            try:
                evidence = client.get(f"/detection/leads/{lead['id']}/evidence", headers=headers)
            finally:
                release.join()
    assert evidence.status_code == 200, evidence.text
