"""The OpenAPI document tells every answer: each error status an operation can
answer, in the body the API really sends; and the answers the fuzzer found wrong."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError

from ipfed.nodes.app import create_app
from ipfed.nodes.auth.policy import ROUTES
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.contract import PAGES
from ipfed.nodes.http import Day, Moment
from ipfed.nodes.marks.schemas import ScanIn

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}


@pytest.fixture
def app(settings: NodeSettings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # None of these requests reaches the database: they are refused before.
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, items in document["paths"].items():
        for method, operation in items.items():
            yield method.upper(), path, operation


def test_every_error_status_answers_the_error_body(app: FastAPI) -> None:
    document = app.openapi()
    assert document["components"]["schemas"]["ErrorBody"]["required"] == ["error", "detail"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for method, path, operation in operations(document):
        responses = operation["responses"]
        errors = {int(s) for s in responses if int(s) >= 400}
        pages = set(PAGES.get((method, path), {}))
        for status in errors - pages:
            content = responses[str(status)]["content"]
            assert content == {"application/json": {"schema": ERROR_BODY}}, (method, path, status)
        # every operation: bad input and a busy database
        assert {422, 503} <= errors, (method, path)


def test_statuses_follow_the_policy_the_path_and_the_body(app: FastAPI) -> None:
    for method, path, operation in operations(app.openapi()):
        statuses = {int(s) for s in operation["responses"]}
        needs_key = ROUTES[(method, path)].needs_key
        assert ({401, 403, 429} <= statuses) is needs_key, (method, path)
        assert (operation.get("security") == [{"ApiKey": []}]) is needs_key, (method, path)
        headers = {
            p["name"].lower() for p in operation.get("parameters", ()) if p["in"] == "header"
        }
        assert "x-api-key" not in headers, (method, path)  # the security scheme says it
        assert not needs_key or "Retry-After" in operation["responses"]["429"]["headers"]
        if needs_key:
            continue
        assert not statuses & {401, 403, 429}, (method, path)
        if "{" in path:
            assert 404 in statuses, (method, path)
        assert (413 in statuses) is ("requestBody" in operation), (method, path)


def test_conflicts_and_lookups_are_documented(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    assert "409" in paths["/marks/{mark_id}/status"]["post"]["responses"]
    assert "409" in paths["/fairs/{fair_id}/tracking"]["get"]["responses"]
    assert "404" in paths["/marks"]["post"]["responses"]  # the right it names
    assert "404" not in paths["/trademarks"]["get"]["responses"]
    assert "409" not in paths["/trademarks"]["get"]["responses"]


def test_pages_and_images_document_their_media_types(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    qr = paths["/marks/{mark_id}/qr.{fmt}"]["get"]["responses"]["200"]["content"]
    assert set(qr) == {"image/png", "image/svg+xml"}
    page = paths["/v/{token}"]["get"]["responses"]
    assert set(page["400"]["content"]) == set(page["410"]["content"]) == {"text/html"}


def test_a_method_the_path_does_not_take_is_405_with_allow(client: TestClient) -> None:
    response = client.request("TRACE", "/trademarks")
    assert (response.status_code, response.json()["error"]) == (405, "method_not_allowed")
    assert response.headers["allow"] == "GET"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/marks/scans", "POST"),  # not GET /marks/{mark_id}
        ("PATCH", "/filings/report", "GET"),  # not PATCH /filings/{filing_id}
    ],
)
def test_a_fixed_path_is_not_taken_for_a_templated_one(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    """It answered 422 (the id's pattern), or 403 for a key of another office."""
    response = client.request(method, path, headers={"X-API-Key": "ipf_unknown"})
    assert (response.status_code, response.headers.get("allow")) == (405, allow)


def test_a_body_that_cannot_be_parsed_is_422(client: TestClient) -> None:
    """FastAPI answered 400, a status no operation documents."""
    response = client.post(
        "/marks", content=b"\xff\xfe{", headers={"Content-Type": "application/json"}
    )
    assert (response.status_code, response.json()["error"]) == (422, "malformed_body")


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/marks", "GET, POST"),
        ("/marks/scans", "POST"),
        ("/filings/01M8Y0KX43XDBJZP1AN4R8XNEB", "GET, PATCH"),
        ("/docs", "GET"),  # not in the document: the route's own
    ],
)
def test_allow_names_every_method_of_the_path(client: TestClient, path: str, allow: str) -> None:
    """Starlette's Allow named only the first route's methods (GET for /marks)."""
    response = client.options(path)
    assert (response.status_code, response.headers["allow"]) == (405, allow)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (Day, "0"),  # pydantic alone took it for 1970-01-01 (GET /licences?in_force_on=0)
        (Day, "2026-01-01T00:00:00"),
        (Moment, "0.5"),  # half a second after 1970 (GET /listings?captured_to=0.5)
        (Moment, "2026-01-01 00:00:00Z"),
    ],
)
def test_dates_and_times_are_iso_text_only(kind: object, text: str) -> None:
    with pytest.raises(ValidationError, match="expected a"):
        TypeAdapter(kind).validate_python(text)


def test_iso_dates_and_times_pass() -> None:
    assert TypeAdapter(Day).validate_python("2026-12-03") == date(2026, 12, 3)
    moment = TypeAdapter(Moment).validate_python("2026-12-03T08:00:00+08:00")
    assert moment == datetime(2026, 12, 3, tzinfo=UTC)


@pytest.mark.parametrize("field", ["product_class", "longitude", "latitude"])
def test_a_boolean_is_no_number(field: str) -> None:
    """POST /marks/scans took ``false`` for class 0 or a longitude of 0."""
    scan = {"token": "x" * 20, "biz_step": "inspecting"}
    with pytest.raises(ValidationError, match="a boolean is not"):
        ScanIn.model_validate({**scan, field: False})
    assert getattr(ScanIn.model_validate({**scan, field: 25}), field) == 25


@pytest.mark.parametrize("seen_at", [0, 1.5, True])
def test_a_time_is_no_number(seen_at: object) -> None:
    """POST /marks/scans took ``"seen_at": 0`` for a scan in 1970."""
    with pytest.raises(ValidationError, match="is not what this field takes"):
        ScanIn.model_validate({"token": "x" * 20, "biz_step": "inspecting", "seen_at": seen_at})
