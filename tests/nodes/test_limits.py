"""Limits before work: body sizes refused before the body is read or any key checked,
senders of failed API keys throttled, integers held to what a database column holds,
and unit codes per request bounded."""

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rights import warrior
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipfed.nodes.app import create_app
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.auth.throttle import FailureLog
from ipfed.nodes.body_limit import DEFAULT_MAX_BODY, MAX_BODY_KEY
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.marks.schemas import MAX_UNITS_PER_REQUEST
from ipfed.nodes.schemas import BIGINT_MAX

SCREEN = "/detection/screen"
LISTING = {"title": "回力 运动鞋", "seller": "某店铺"}
HUGE = 10**30
MAX_FAILURES = 10  # the node's default


@pytest.fixture
def app(engine: Engine, sessions: sessionmaker[Session], office: NodeSettings) -> FastAPI:
    app = create_app(office.model_copy(update={"marks_follow_seconds": 0}), engine)
    app.state.sessions = sessions  # requests join the test's rolled-back transaction
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def key(db: Session, office: NodeSettings) -> str:
    """An API key of the node's own office."""
    _, secret = create_api_key(db=db, org=office.org_name, role=Role.REGIONAL)
    db.commit()
    return secret


def padded(size: int) -> bytes:
    """A listing to screen, as JSON of ``size`` bytes (the rest is whitespace)."""
    text = json.dumps(LISTING).encode()
    return text + b" " * (size - len(text))


JSON = {"Content-Type": "application/json"}


# --- body sizes ---------------------------------------------------------------


def test_an_oversized_body_is_refused_before_the_key_is_checked(
    client: TestClient, key: str
) -> None:
    big = padded(DEFAULT_MAX_BODY + 1)
    for headers in ({}, {"X-API-Key": key}, {"X-API-Key": "ipf_not-a-key"}):
        response = client.post(SCREEN, content=big, headers=JSON | headers)
        assert response.status_code == 413, headers
        assert response.json() == {
            "error": "payload_too_large",
            "detail": f"the request body exceeds {DEFAULT_MAX_BODY:,} bytes",
        }
    # Chunked, without a Content-Length: counted as it comes, refused all the same.
    chunks = (big[i : i + 65536] for i in range(0, len(big), 65536))
    response = client.post(SCREEN, content=chunks, headers=JSON | {"X-API-Key": key})
    assert (response.status_code, response.json()["error"]) == (413, "payload_too_large")
    # A body within the limit: without a key 401, with one the screen's answer.
    fits = padded(DEFAULT_MAX_BODY)
    assert client.post(SCREEN, content=fits, headers=JSON).status_code == 401
    response = client.post(SCREEN, content=fits, headers=JSON | {"X-API-Key": key})
    assert response.status_code == 200, response.text
    assert client.post(SCREEN, json=LISTING, headers={"X-API-Key": key}).status_code == 200


def asgi_post(app: FastAPI, path: str, declared: int | None, chunks: int) -> tuple[int, int]:
    """POST ``chunks`` chunks of 64 KiB straight into the app, as a server would pass
    them on: the status, and how many chunks the app pulled."""
    pulled = 0
    status = 0
    headers = [(b"content-type", b"application/json")]
    if declared is None:
        headers.append((b"transfer-encoding", b"chunked"))
    else:
        headers.append((b"content-length", str(declared).encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("192.0.2.1", 50000),
        "server": ("127.0.0.1", 8000),
    }

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 65536, "more_body": pulled < chunks}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    asyncio.run(app(scope, receive, send))
    return status, pulled


def test_a_huge_body_is_never_read(app: FastAPI) -> None:
    """400 MB announced: answered before a byte is read; 400 MB streamed: cut off at
    the limit."""
    chunks = (400 << 20) // 65536
    assert asgi_post(app, SCREEN, 400 << 20, chunks) == (413, 0)
    status, pulled = asgi_post(app, SCREEN, None, chunks)
    assert status == 413 and pulled == DEFAULT_MAX_BODY // 65536 + 1


def test_uploads_declare_a_larger_limit(client: TestClient) -> None:
    operations = client.get("/openapi.json").json()["paths"]
    assert operations["/fairs"]["post"][MAX_BODY_KEY] == 32 << 20
    assert MAX_BODY_KEY not in operations[SCREEN]["post"]
    # Two megabytes to a fair's registration pass the limit and meet the key check.
    body = b'{"name": "' + b"x" * (2 << 20) + b'"}'
    response = client.post("/fairs", content=body, headers=JSON)
    assert (response.status_code, response.json()["error"]) == (401, "missing_api_key")
    assert client.post(SCREEN, content=body).status_code == 413


# --- failed API keys ------------------------------------------------------------


def test_an_address_sending_wrong_keys_is_throttled(app: FastAPI, key: str) -> None:
    with TestClient(app, client=("203.0.113.7", 40000)) as attacker:
        for n in range(MAX_FAILURES):
            response = attacker.get("/whoami", headers={"X-API-Key": f"ipf_guess-{n}"})
            assert response.json()["error"] == "invalid_api_key"
        response = attacker.get("/whoami", headers={"X-API-Key": "ipf_guess-next"})
        assert response.status_code == 429
        assert response.json()["error"] == "too_many_failed_keys"
        assert 0 < int(response.headers["Retry-After"]) <= 60
        # Every key from that address waits, even a good one; requests without a key
        # (health, public status and verification pages) do not.
        assert attacker.get("/whoami", headers={"X-API-Key": key}).status_code == 429
        assert (
            attacker.get("/whoami", headers={"Authorization": f"Bearer {key}"}).status_code == 429
        )
        assert attacker.get("/health").status_code == 200
    with TestClient(app, client=("198.51.100.1", 40000)) as elsewhere:
        assert elsewhere.get("/whoami", headers={"X-API-Key": key}).status_code == 200


def test_a_wrong_key_is_throttled_from_any_address(app: FastAPI, key: str) -> None:
    for n in range(MAX_FAILURES):
        with TestClient(app, client=(f"198.51.100.{n}", 40000)) as sender:
            assert sender.get("/whoami", headers={"X-API-Key": "ipf_revoked"}).status_code == 401
    with TestClient(app, client=("198.51.100.200", 40000)) as sender:
        assert sender.get("/whoami", headers={"X-API-Key": "ipf_revoked"}).status_code == 429
        assert sender.get("/whoami", headers={"X-API-Key": key}).status_code == 200


def test_good_keys_and_missing_keys_are_not_failures(app: FastAPI, key: str) -> None:
    with TestClient(app, client=("203.0.113.8", 40000)) as sender:
        for _ in range(MAX_FAILURES + 2):
            assert sender.get("/whoami").status_code == 401  # no key: nothing tried
            assert sender.get("/whoami", headers={"X-API-Key": key}).status_code == 200


def test_the_limit_is_a_setting(engine: Engine, office: NodeSettings) -> None:
    settings = office.model_copy(update={"auth_failure_limit": 2, "marks_follow_seconds": 0})
    with TestClient(create_app(settings, engine)) as sender:
        for status in (401, 401, 429):
            assert sender.get("/whoami", headers={"X-API-Key": "ipf_x"}).status_code == status


def test_the_failure_log_forgets_after_its_window() -> None:
    log = FailureLog(limit=3, window=60)
    for t in (0, 10, 20):
        assert log.retry_after("a", t) == 0
        log.record("a", t)
    assert log.retry_after("a", 30) == 30  # until the first failure leaves the window
    assert log.retry_after("a", 60) == 0
    log.record("a", 70)  # the window now holds 20 and 70
    assert log.retry_after("a", 71) == 0
    log.record("a", 75)
    assert log.retry_after("a", 76) == 4
    assert log.retry_after("b", 76) == 0


def test_the_failure_log_is_bounded() -> None:
    log = FailureLog(limit=2, window=60, capacity=100)
    for n in range(1000):
        log.record(f"sender {n}", n / 100)
    assert 50 <= len(log._times) <= 100
    log.record("sender 999", 10)
    assert log.retry_after("sender 999", 10) > 0  # the latest are kept
    # Later, the others have left the window: forgotten once the log is full again.
    log.record("late", 200)
    for n in range(100):
        log.record(f"later {n}", 200)
    assert "sender 999" not in log._times and "later 99" in log._times


# --- integers -----------------------------------------------------------------


def integer_parameters(client: TestClient) -> Iterator[tuple[str, dict[str, Any], list[Any]]]:
    """(path, parameter, all the operation's parameters) of every integer path or
    query parameter."""
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                if "integer" in [s.get("type") for s in schema.get("anyOf", [schema])]:
                    assert method == "get", f"{method} {path}: send it below"
                    yield path, parameter, operation["parameters"]


def test_every_integer_parameter_is_bounded(client: TestClient) -> None:
    parameters = list(integer_parameters(client))
    names = {(path, parameter["name"]) for path, parameter, _ in parameters}
    assert {("/exchange/inbox/{inbox_id}", "inbox_id"), ("/exchange/inbox", "after")} <= names
    for path, parameter, _ in parameters:
        schema = parameter["schema"]
        for bound in [
            s.get("maximum") for s in schema.get("anyOf", [schema]) if s != {"type": "null"}
        ]:
            assert bound is not None and bound <= BIGINT_MAX, (path, parameter["name"])


def test_out_of_range_integers_are_422(client: TestClient, key: str) -> None:
    """Each integer parameter, given 10**30, answers 422 naming it (not a 500)."""
    for path, parameter, siblings in integer_parameters(client):
        name = parameter["name"]
        query = {p["name"]: 1 for p in siblings if p["in"] == "query" and p["required"]}
        if parameter["in"] == "path":
            path = path.replace("{" + name + "}", str(HUGE))
        else:
            query[name] = HUGE
        path = re.sub(r"\{[^}]+\}", "0" * 26, path)  # other path parameters: a valid id
        response = client.get(path, params=query, headers={"X-API-Key": key})
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"] == "invalid_request" and name in response.json()["detail"]
    body = {"old_size": HUGE, "checkpoint": "x"}
    response = client.post("/witness/add-checkpoint", json=body, headers={"X-API-Key": key})
    assert response.status_code == 422 and "old_size" in response.json()["detail"]


# --- unit codes -----------------------------------------------------------------


def test_unit_codes_per_request_are_bounded(
    client: TestClient, db: Session, office: NodeSettings, key: str
) -> None:
    right = warrior()
    db.add(right)
    db.commit()
    headers = {"X-API-Key": key}
    body = {"right_id": right.id, "holder_uscc": "91310115MA1FL3QX0F"}
    mark = client.post("/marks", json=body, headers=headers).json()
    units = f"/marks/{mark['id']}/units"

    for quantity in (MAX_UNITS_PER_REQUEST + 1, 100_000, HUGE):
        batch = {"batch_number": "B-1", "quantity": quantity}
        response = client.post(units, json=batch, headers=headers)
        assert (response.status_code, response.json()["error"]) == (422, "too_many_units")
        assert "same batch number" in response.json()["detail"]
    # More codes for one batch: several requests with the same batch number.
    for _ in range(2):
        response = client.post(units, json={"batch_number": "B-1", "quantity": 2}, headers=headers)
        assert response.status_code == 201 and len(response.json()["units"]) == 2
    schema = client.get("/openapi.json").json()["components"]["schemas"]["UnitsIn"]
    assert schema["properties"]["quantity"]["maximum"] == MAX_UNITS_PER_REQUEST
