"""The HTTP API: keys and roles on every route, one error format, never a 500."""

import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipfed.exchange.transport import Link, MemoryNetwork, MemoryTransport, PeerAddress
from ipfed.ledger.proofs import parse_proof
from ipfed.nodes.app import create_app
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.policy import PUBLIC, ROUTES
from ipfed.nodes.auth.service import create_api_key, revoke_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.registry.credential import parse_token
from ipfed.registry.identifiers import parse_region_code


@pytest.fixture
def keys(db: Session, sample_data: None) -> dict[Role, str]:
    created = {role: create_api_key(db=db, org=f"{role} org", role=role)[1] for role in Role}
    db.commit()
    return created


@pytest.fixture
def client(
    engine: Engine, sessions: sessionmaker[Session], office: NodeSettings
) -> Iterator[TestClient]:
    # No background rounds: they would share the test's connection from another thread.
    app = create_app(office.model_copy(update={"marks_follow_seconds": 0}), engine)
    app.state.sessions = sessions  # requests join the test's rolled-back transaction
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def get(client: TestClient, path: str, key: str | None, **params: object) -> tuple[int, dict]:
    headers = {"X-API-Key": key} if key else {}
    response = client.get(path, params=params, headers=headers)  # type: ignore[arg-type]
    return response.status_code, response.json()


def test_health_needs_no_key(client: TestClient) -> None:
    status, body = get(client, "/health", None)
    assert status == 200 and body["node_id"] == "sh" and body["region_code"] == "310000"


@pytest.mark.parametrize("path", ["/trademarks", "/version", "/whoami", "/listings"])
def test_missing_wrong_and_revoked_keys_are_refused(
    client: TestClient, keys: dict[Role, str], db: Session, path: str
) -> None:
    assert get(client, path, None) == (
        401,
        {"error": "missing_api_key", "detail": "send an API key in the X-API-Key header"},
    )
    assert get(client, path, "ipf_not-a-key")[1]["error"] == "invalid_api_key"

    key = keys[Role.NATIONAL]
    assert get(client, path, key)[0] == 200
    revoke_api_key(db=db, prefix=key[:12])
    db.commit()
    assert get(client, path, key) == (
        401,
        {"error": "revoked_api_key", "detail": "this API key has been revoked"},
    )


def test_bearer_tokens_work_too(client: TestClient, keys: dict[Role, str]) -> None:
    response = client.get("/whoami", headers={"Authorization": f"Bearer {keys[Role.FAIR]}"})
    assert response.json()["role"] == "fair"


@pytest.mark.parametrize("role", list(Role))
def test_personal_data_only_for_offices_and_enforcement(
    client: TestClient, keys: dict[Role, str], role: Role
) -> None:
    allowed = role in (Role.NATIONAL, Role.REGIONAL, Role.ENFORCEMENT)
    for path in ("/participants", "/listings"):
        status, body = get(client, path, keys[role])
        assert status == (200 if allowed else 403), body
        if not allowed:
            assert body["error"] == "forbidden"
    assert get(client, "/trademarks", keys[role])[0] == 200  # the register is public


def test_search_and_read(client: TestClient, keys: dict[Role, str]) -> None:
    key = keys[Role.REGIONAL]
    status, page = get(client, "/trademarks", key, q="大白", nice_class=30)
    assert status == 200 and [t["number"] for t in page["items"]] == ["1587423"]
    assert page["items"][0]["nice_classes"] == [30]
    assert get(client, "/trademarks", key, q="大白", nice_class=31)[1]["items"] == []

    status, patent = get(client, "/patents/ZL 202130223344.X", key)
    assert status == 200 and patent["patent_kind"] == "design"
    assert patent["locarno_class"] == "09-03"

    status, licences = get(client, "/licences", key, right="1587423", in_force_on="2024-06-01")
    assert [lic["licensee"] for lic in licences["items"]] == ["上海冠生园食品有限公司天猫旗舰店"]
    assert (
        get(client, "/licences", key, right="1587423", in_force_on="2027-01-01")[1]["items"] == []
    )

    status, found = get(client, "/participants", key, platform="taobao", shop_id="fushi-pifa")
    assert [p["uscc"] for p in found["items"]] == ["92330782MA29C7TB03"]
    participant = found["items"][0]["id"]
    assert get(client, f"/participants/{participant}", key)[1]["region_code"] == "330782"

    status, cases = get(client, "/adjudications", key, right="GI2001031")
    assert cases["items"][0]["decision"] == "settled"
    assert get(client, "/key-products", key, region_code="330000")[1]["items"][0]["rights"]


def test_pages_follow_the_cursor(client: TestClient, keys: dict[Role, str]) -> None:
    key = keys[Role.NATIONAL]
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"after": cursor} if cursor else {})
        page = get(client, "/listings", key, **params)[1]
        seen += [item["external_id"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert sorted(seen) == ["S001", "S002", "S003", "S004", "S005"]


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/trademarks", {"limit": 0}, 422, "invalid_request"),
        ("/trademarks", {"limit": "many"}, 422, "invalid_request"),
        ("/trademarks", {"nice_class": 46}, 422, "invalid_request"),
        ("/trademarks", {"status": "alive"}, 422, "invalid_request"),
        ("/trademarks", {"after": "not-a-ulid"}, 422, "invalid_request"),
        ("/patents/201921334455.0", {}, 422, "patent_check_digit"),
        ("/patents/ZL201710556677.7", {}, 404, "patent_not_found"),
        ("/trademarks/%E2%80%94", {}, 422, "invalid_trademark_number"),
        ("/participants", {"uscc": "91350100M000100Y44"}, 422, "invalid_request"),
        ("/participants", {"region_code": "999999"}, 422, "invalid_request"),
        ("/listings", {"captured_from": "2026-11-01T08:00:00"}, 422, "invalid_request"),
        ("/listings/01M7ZF1BGTE3PN29F9KSRS9HXY", {}, 404, "listing_not_found"),
        ("/licences", {"right": "D404"}, 404, "right_not_found"),
        ("/no/such/route", {}, 404, "not_found"),
        ("/geographical-indications", {"q": "\x00"}, 422, "nul_character"),
    ],
)
def test_bad_requests_get_a_clear_4xx(
    client: TestClient, keys: dict[Role, str], path: str, params: dict, status: int, code: str
) -> None:
    got, body = get(client, path, keys[Role.NATIONAL], **params)
    assert (got, body["error"]) == (status, code), body
    assert body["detail"]


def test_wrong_method_is_405(client: TestClient, keys: dict[Role, str]) -> None:
    response = client.post("/trademarks", headers={"X-API-Key": keys[Role.NATIONAL]}, json={})
    assert response.status_code == 405 and response.json()["error"] == "method_not_allowed"


def _unanswered_link() -> Link:
    transport = MemoryTransport(MemoryNetwork(), "sh", "mem://sh")
    return transport.link(PeerAddress("national", "mem://national", link_key=""))


@pytest.mark.parametrize(
    ("failure", "status", "code"),
    [
        (lambda: parse_token("not a token"), 422, "malformed_token"),
        (lambda: parse_region_code("31"), 422, "invalid_region_code"),
        (lambda: parse_proof(b"[]"), 422, "malformed"),
        (lambda: _unanswered_link().deliver([], timeout=1), 503, "link_down"),
    ],
)
def test_an_error_of_any_layer_answers_its_status_and_code(
    client: TestClient,
    failure: Callable[[], object],
    status: int,
    code: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Registry, ledger and exchange errors are not the node's own, yet none is a 500."""
    monkeypatch.setitem(ROUTES, ("GET", "/failing"), PUBLIC)
    client.app.add_api_route("/failing", failure)  # type: ignore[attr-defined]
    response = client.get("/failing")
    body = response.json()
    assert (response.status_code, body["error"]) == (status, code), body
    assert body["detail"]


def _routes_and_params(client: TestClient) -> list[tuple[str, list[str]]]:
    spec = client.app.openapi()  # type: ignore[attr-defined]
    return [
        (path, [p["name"] for p in op.get("parameters", []) if p["in"] == "query"])
        for path, item in spec["paths"].items()
        for op in item.values()
    ]


@settings(
    max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(data=st.data())
def test_no_input_makes_a_500(
    client: TestClient, keys: dict[Role, str], data: st.DataObject
) -> None:
    path, names = data.draw(st.sampled_from(_routes_and_params(client)))
    text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
    segment = quote(data.draw(text.filter(lambda t: t.strip(".") != "")), safe="")
    path = re.sub(r"\{\w+\}", segment.replace("\\", "\\\\"), path)
    params = {name: data.draw(text) for name in names if data.draw(st.booleans())}
    response = client.get(path, params=params, headers={"X-API-Key": keys[Role.NATIONAL]})
    assert response.status_code < 500, (path, params, response.text)
    if response.status_code >= 400 and not path.startswith("/v/"):  # the page is HTML
        assert set(response.json()) == {"error", "detail"}


def test_every_list_route_answers_the_one_page_shape(client: TestClient) -> None:
    """No GET route answers a bare JSON array: a list is ``{"items": [...], "next": cursor}``,
    takes a page size as ``limit`` and the cursor back as ``after``, as its API description
    says; and every route that takes a page size answers a page."""
    api = client.get("/openapi.json").json()
    schemas = api["components"]["schemas"]
    pages, sized = set(), set()
    for path, operations in api["paths"].items():
        if (operation := operations.get("get")) is None:
            continue
        params = {p["name"] for p in operation.get("parameters", ())}
        if "limit" in params:
            sized.add(path)
        content = operation["responses"]["200"].get("content", {}).get("application/json")
        if content is None:  # an HTML page, a text note, a file
            continue
        answer = content["schema"]
        if "$ref" in answer:
            answer = schemas[answer["$ref"].rsplit("/", 1)[1]]
        assert answer.get("type") != "array", f"{path} answers a bare list"
        if set(answer.get("properties", ())) == {"items", "next"}:
            assert answer["properties"]["items"]["type"] == "array", path
            assert {"after", "limit"} <= params, path
            pages.add(path)
    assert sized == pages
    assert {
        "/filings/receipts",
        "/detection/queue",
        "/trademarks",
        "/fairs/{fair_id}/leads",
        "/alarms",
        "/witness/logs",
        "/exchange/links",
        "/detection/precision",
        "/detection/monitoring",
        "/detection/leads/{lead_id}/reviews",
        "/filings/calendar",
        "/filings/reminders",
    } <= pages


def test_pages_are_walked_with_the_next_cursor(client: TestClient, keys: dict[Role, str]) -> None:
    key = keys[Role.NATIONAL]
    status, whole = get(client, "/trademarks", key)
    assert status == 200 and whole["next"] is None and len(whole["items"]) > 2
    walked, params = [], {"limit": 2}
    while True:
        status, page = get(client, "/trademarks", key, **params)
        assert status == 200 and set(page) == {"items", "next"}
        walked += page["items"]
        if page["next"] is None:
            break
        params["after"] = page["next"]
    assert walked == whole["items"]
