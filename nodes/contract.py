"""Every answer in the contract: the error statuses each operation can answer, and
the API key it needs.

The API answers every failure as :class:`ErrorBody` (``nodes/http.py``), whatever
raised it. FastAPI documents none of that on its own and shows its default 422
shape instead; :func:`document_errors` gives the app an OpenAPI document that
lists, for every operation, the error statuses it can really answer, each with
:class:`ErrorBody`. What an operation can answer follows from what it is:

- every operation: 422 (a NUL character or a malformed parameter) and 503
  (``database_busy``);
- an operation that needs a key (``nodes/auth/policy.py``): 401, 403 and 429
  (``nodes/auth/throttle.py``); the public ones answer none of these;
- an operation with a path parameter, one that looks up what its body or query
  names (:data:`LOOKS_UP`), and those of the exchange: 404;
- an operation that changes something in a state that may forbid it
  (:data:`CONFLICTS`): 409;
- an operation that takes a body: 413 (``nodes/body_limit.py``);
- a page (:data:`PAGES`): its verdicts, as HTML.
"""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from ipfed.nodes.auth.policy import Route, audience_of


class ErrorBody(BaseModel):
    """How the node answers every failure."""

    error: str = Field(description="a stable, machine-readable code, e.g. `not_found`")
    detail: str = Field(description="what went wrong, for people")


# Operations without a path parameter that answer 404 for what their body or query
# names (a right, a licence), or for what the node has not got yet (a checkpoint).
LOOKS_UP: frozenset[Route] = frozenset(
    {
        ("GET", "/licences"),
        ("GET", "/adjudications"),
        ("GET", "/ledger/checkpoint"),
        ("GET", "/ledger/consistency"),
        ("POST", "/marks"),
        ("POST", "/detection/tasks"),
        ("POST", "/detection/screen"),
        ("POST", "/exchange/messages"),
    }
)
# A node without a federation identity has no exchange: its routes answer 404.
EXCHANGE = "/exchange/"

# Operations that answer 409 when a record's state (or the calendar) forbids the change.
CONFLICTS: frozenset[Route] = frozenset(
    {
        ("POST", "/marks"),
        ("POST", "/marks/{mark_id}/status"),
        ("POST", "/marks/{mark_id}/units"),
        ("POST", "/detection/leads/{lead_id}/review"),
        ("GET", "/detection/leads/{lead_id}/push"),
        ("POST", "/exchange/leads/{lead_id}/feedback"),
        ("POST", "/witness/add-checkpoint"),
        ("POST", "/fairs"),
        ("POST", "/fairs/{fair_id}/exhibitors"),
        ("POST", "/fairs/{fair_id}/exhibits/{exhibit_id}/scans"),
        ("GET", "/fairs/{fair_id}/tracking"),
        ("POST", "/filings"),
        ("PATCH", "/filings/{filing_id}"),
        ("POST", "/filings/{filing_id}/submit"),
        ("POST", "/filings/{filing_id}/correction"),
        ("POST", "/filings/received"),
        ("POST", "/exchange/outbox/{envelope_id}/retry"),  # an erased envelope
        ("POST", "/privacy/erasures"),  # a request carried out before
    }
)

# Operations that answer people with a page, whatever the verdict.
PAGES: dict[Route, dict[int, str]] = {
    ("GET", "/v/{token}"): {
        400: "the token is not a mark of the federation",
        410: "the mark is genuine but no longer in force",
    }
}

WHY: dict[int, str] = {
    401: "no API key, or an unknown or revoked one",
    403: "the caller's key may not use this operation, or not on this record",
    404: "no such record, or none the caller may see",
    409: "the record's state does not allow this",
    413: "the request body is over this operation's limit",
    422: "the request is malformed or fails validation",
    429: "too many failed API keys from this address or with this key",
    503: "the node's database is busy, or a service it needs is unavailable; try again",
}

RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds until the sender may try again",
        "schema": {"type": "integer"},
    }
}


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses of one operation, from what it is (see the module's doc)."""
    route = (method.upper(), path)
    statuses = [422, 503]
    if audience_of(*route).needs_key:
        statuses += [401, 403, 429]
    has_path_parameter = any(p.get("in") == "path" for p in operation.get("parameters", ()))
    if has_path_parameter or route in LOOKS_UP or path.startswith(EXCHANGE):
        statuses.append(404)
    if route in CONFLICTS:
        statuses.append(409)
    if "requestBody" in operation:
        statuses.append(413)
    return sorted(statuses)


def with_errors(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every operation's error statuses, each answering ErrorBody,
    in place of FastAPI's default 422 (whose schemas it drops)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["ErrorBody"] = ErrorBody.model_json_schema()
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, why in PAGES.get((method.upper(), path), {}).items():
                responses[str(status)] = {"description": why, "content": {"text/html": {}}}
            for status in error_statuses(method, path, operation):
                answer: dict[str, Any] = {"description": WHY[status], "content": body}
                if status == 429:
                    answer["headers"] = RETRY_AFTER
                responses[str(status)] = answer
    return document


API_KEY = {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}


def with_security(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the API key as a security scheme, required by exactly the
    operations the policy closes to callers without a key (not a header parameter of
    some operations, as the routes that ask for the caller declare it)."""
    document.setdefault("components", {})["securitySchemes"] = API_KEY
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            parameters = [
                p
                for p in operation.get("parameters", ())
                if not (p.get("in") == "header" and p.get("name", "").lower() == "x-api-key")
            ]
            if parameters:
                operation["parameters"] = parameters
            else:
                operation.pop("parameters", None)
            if audience_of(method.upper(), path).needs_key:
                operation["security"] = [{"ApiKey": []}]
    return document


def document_errors(app: FastAPI) -> None:
    """Give the app an OpenAPI document with every operation's error answers."""
    fastapi_document = app.openapi

    def openapi() -> dict[str, Any]:
        # FastAPI's document is made once, and again when routes are added; the errors
        # go in each time (the same ones: it costs a walk over the operations).
        return with_security(with_errors(fastapi_document()))

    app.openapi = openapi  # type: ignore[method-assign]
