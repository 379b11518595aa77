"""The authorization policy, walked over every operation of the OpenAPI document with
a key of every role, of the node's own organisation and of a foreign one.

Besides the table's answer, fixed cases that no edit of the table can loosen: a key
of another office is refused every write of the node's own office."""

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.identity import OFFICES, Role
from ipfed.nodes.app import create_app
from ipfed.nodes.auth.policy import ROUTES, audience_of
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings

FOREIGN = "浙江省知识产权局"  # an organisation of the federation, not the one running the node
# Writes that callers other than the node's own office make by design. Written out
# here, not read from the policy: opening any other write to another office's key
# fails this test whatever the table says.
WRITES_FOR_OTHERS = {
    ("POST", "/witness/add-checkpoint"),  # peers ask this node to cosign their logs
    ("POST", "/filings/received"),  # regions file with the national node
    ("POST", "/exchange/leads/{lead_id}/feedback"),  # who handled a lead reports back
    ("POST", "/marks/scans"),
    ("POST", "/marks/{mark_id}/units"),  # the mark's holder or licensee
    ("POST", "/detection/tasks"),
    ("POST", "/fairs"),
    ("POST", "/fairs/{fair_id}/exhibitors"),
    ("POST", "/fairs/{fair_id}/exhibits/{exhibit_id}/scans"),
}
DUMMY_ID = "01JAAAAAAAAAAAAAAAAAAAAAAA"  # a well-formed id of nothing


def operations(app: FastAPI) -> list[tuple[str, str]]:
    paths = app.openapi()["paths"]
    return sorted((method.upper(), path) for path, item in paths.items() for method in item)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", DUMMY_ID, path)


@pytest.fixture
def client(
    engine: Engine, sessions: sessionmaker[Session], settings: NodeSettings
) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"marks_follow_seconds": 0}), engine)
    app.state.sessions = sessions
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def keys(db: Session, settings: NodeSettings) -> dict[tuple[Role, bool], str]:
    """A key of every role, of the node's own organisation (True) and of a foreign one."""
    made = {
        (role, own): create_api_key(db=db, org=settings.org_name if own else FOREIGN, role=role)[1]
        for role in Role
        for own in (True, False)
    }
    db.commit()
    return made


def call(client: TestClient, method: str, path: str, key: str | None) -> int:
    headers = {"X-API-Key": key} if key else {}
    return client.request(method, concrete(path), headers=headers).status_code


def test_the_policy_names_every_operation_and_nothing_else(client: TestClient) -> None:
    assert set(operations(client.app)) == set(ROUTES)  # type: ignore[arg-type]


def test_every_operation_answers_every_caller_as_the_policy_says(
    client: TestClient, keys: dict[tuple[Role, bool], str], settings: NodeSettings
) -> None:
    checked, wrong = 0, []
    for method, path in operations(client.app):  # type: ignore[arg-type]
        audience = audience_of(method, path)
        status = call(client, method, path, None)
        if audience.needs_key != (status == 401):
            wrong.append((method, path, "no key", status))
        for (role, own), key in keys.items():
            org = settings.org_name if own else FOREIGN
            admitted = audience.admits(org=org, role=role, node_org=settings.org_name)
            status = call(client, method, path, key)
            checked += 1
            if admitted == (status in (401, 403)):
                wrong.append((method, path, f"{role} {'own' if own else 'foreign'}", status))
    assert wrong == []
    assert checked == len(ROUTES) * len(Role) * 2


def test_another_office_writes_nothing_of_the_node_own_office(
    client: TestClient, keys: dict[tuple[Role, bool], str]
) -> None:
    writes = [op for op in operations(client.app) if op[0] != "GET"]  # type: ignore[arg-type]
    assert set(writes) >= WRITES_FOR_OTHERS
    office_writes = [op for op in writes if op not in WRITES_FOR_OTHERS]
    assert ("POST", "/exchange/messages") in office_writes
    for method, path in office_writes:
        for role in OFFICES:
            assert call(client, method, path, keys[(role, False)]) == 403, (method, path, role)


def test_an_undeclared_route_is_refused_to_everyone(
    client: TestClient, keys: dict[tuple[Role, bool], str]
) -> None:
    client.app.add_api_route("/undeclared", lambda: {"ok": True})  # type: ignore[attr-defined]
    for key in keys.values():
        response = client.get("/undeclared", headers={"X-API-Key": key})
        assert (response.status_code, response.json()["error"]) == (403, "undeclared_route")
