"""FastAPI dependencies: :func:`authorize` holds every request to the policy
(:mod:`ipfed.nodes.auth.policy`); :func:`current_caller` hands routes the caller."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, Request
from fastapi.routing import APIRoute

from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.policy import audience_of
from ipfed.nodes.auth.service import authenticate
from ipfed.nodes.errors import Forbidden, Unauthenticated


@dataclass(frozen=True)
class Caller:
    org: str
    role: Role
    key_prefix: str


def _identify(request: Request) -> Caller:
    """The caller behind the request's API key, authenticated once per request."""
    known: Caller | None = getattr(request.state, "caller", None)
    if known is not None:
        return known
    secret = request.headers.get("x-api-key")
    authorization = request.headers.get("authorization")
    if secret is None and authorization and authorization.lower().startswith("bearer "):
        secret = authorization[7:].strip()
    if not secret:
        raise Unauthenticated("send an API key in the X-API-Key header", code="missing_api_key")
    # A read of its own, over before the route's transaction begins: a route that writes
    # in transactions of its own (a detection task, a filing's submission) must not wait
    # for the SQLite write lock held by its own request.
    with request.app.state.sessions() as db:
        key = authenticate(db=db, secret=secret)
    request.state.caller = Caller(org=key.org, role=key.role, key_prefix=key.prefix)
    return request.state.caller  # type: ignore[no-any-return]


def authorize(request: Request) -> None:
    """Admit the request only if the policy admits its caller to its route.

    Installed on the whole app, so it runs for every route before the route's
    own dependencies; a route missing from the policy is refused.
    """
    route = request.scope.get("route")
    path = route.path if isinstance(route, APIRoute) else ""
    audience = audience_of(request.method, path)
    if not audience.needs_key:
        return
    caller = _identify(request)
    node_org = request.app.state.settings.org_name
    if not audience.admits(org=caller.org, role=caller.role, node_org=node_org):
        raise Forbidden(
            f"{caller.role} {caller.org} may not use this endpoint (only {audience.name})",
            code=audience.code,
        )


def current_caller(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="the caller's API key")] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Caller:
    """The authenticated caller (the headers are declared here so the API documents them)."""
    return _identify(request)
