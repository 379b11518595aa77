"""FastAPI dependencies: :func:`authorize` holds every request to the policy
(:mod:`ipfed.nodes.auth.policy`); :func:`check_csrf` refuses unsafe requests that a
browser could have been tricked into sending; :func:`current_caller` hands routes
the caller.

A caller is an organisation with a role: a machine's API key, or a person signed in
to the console (a session cookie). Both meet the same policy. The cookie is accepted
on every route, the JSON API's included (the console's pages may call it), so every
unsafe request that a cookie authenticates must carry the session's CSRF token: in
the ``X-CSRF-Token`` header or a form's ``csrf_token`` field. One check in one
dependency covers every route; no route can forget it. A request that sends an API
key is the key's, never the cookie's: a cross-site form cannot send a header.
"""

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, Request
from fastapi.routing import APIRoute

from ipfed.nodes.accounts.person import Person
from ipfed.nodes.accounts.sessions import find_session, is_stale, touch_session
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.policy import DURING_ENROLMENT, audience_of, is_console
from ipfed.nodes.auth.service import authenticate
from ipfed.nodes.database.core import transaction
from ipfed.nodes.errors import Forbidden, IpfedError, Unauthenticated

SESSION_COOKIE = "ipfed_session"
# Before sign-in (the sign-in form, public forms): a random token in a cookie that the
# form repeats ("double submit"); after sign-in, the session's own token.
CSRF_COOKIE = "ipfed_csrf"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Caller:
    org: str
    role: Role
    key_prefix: str = ""  # of an API key; "" for a person
    person: Person | None = None


@dataclass(frozen=True)
class SignIn:
    """The console session a request came with."""

    session_id: str
    csrf_token: str
    enrolment_pending: bool


def _presented_key(request: Request) -> str | None:
    secret = request.headers.get("x-api-key")
    authorization = request.headers.get("authorization")
    if secret is None and authorization and authorization.lower().startswith("bearer "):
        secret = authorization[7:].strip()
    return secret or None


def _identify(request: Request) -> Caller:
    """The caller behind the request's API key or session cookie, once per request."""
    known: Caller | None = getattr(request.state, "caller", None)
    if known is not None:
        return known
    secret = _presented_key(request)
    token = request.cookies.get(SESSION_COOKIE)
    if not secret and not token:
        raise Unauthenticated("send an API key in the X-API-Key header", code="missing_api_key")
    # Reads of their own, over before the route's transaction begins: a route that writes
    # in transactions of its own (a detection task, a filing's submission) must not wait
    # for the SQLite write lock held by its own request.
    if secret:
        with request.app.state.sessions() as db:
            key = authenticate(db=db, secret=secret)
        request.state.caller = Caller(org=key.org, role=key.role, key_prefix=key.prefix)
        return request.state.caller  # type: ignore[no-any-return]
    assert token is not None
    now = request.app.state.clock()
    with request.app.state.sessions() as db:
        session = find_session(db=db, settings=request.app.state.settings, token=token, now=now)
        account = session.account
    if is_stale(session, now):
        with transaction(request.app.state.sessions) as db:
            touch_session(db=db, session_id=session.id, now=now)
    request.state.sign_in = SignIn(session.id, session.csrf_token, session.enrolment_pending)
    person = Person(account.id, account.username, account.name, account.pseudonym)
    request.state.caller = Caller(org=account.org, role=account.role, person=person)
    return request.state.caller  # type: ignore[no-any-return]


def identify_softly(request: Request) -> Caller | None:
    """The caller if the request names a valid one, else None (for public pages that
    show who is signed in)."""
    try:
        return _identify(request)
    except IpfedError:
        return None


def route_of(request: Request) -> tuple[str, str]:
    route = request.scope.get("route")
    return request.method, route.path if isinstance(route, APIRoute) else ""


def authorize(request: Request) -> None:
    """Admit the request only if the policy admits its caller to its route.

    Installed on the whole app, so it runs for every route before the route's
    own dependencies; a route missing from the policy is refused.
    """
    method, path = route_of(request)
    audience = audience_of(method, path)
    if not audience.needs_key:
        return
    caller = _identify(request)
    sign_in: SignIn | None = getattr(request.state, "sign_in", None)
    if sign_in and sign_in.enrolment_pending and (method, path) not in DURING_ENROLMENT:
        raise Forbidden(
            "this node requires two-step verification: enrol it first",
            code="totp_enrolment_required",
        )
    node_org = request.app.state.settings.org_name
    if not audience.admits(org=caller.org, role=caller.role, node_org=node_org):
        raise Forbidden(
            f"{caller.role} {caller.org} may not use this endpoint (only {audience.name})",
            code=audience.code,
        )


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe request authenticated by the session cookie, or sent to a
    console form, without the matching CSRF token (403 ``csrf_token_missing`` or
    ``csrf_token_invalid``). Installed on the whole app after :func:`authorize`."""
    if request.method in SAFE_METHODS:
        return
    sign_in: SignIn | None = getattr(request.state, "sign_in", None)
    if sign_in is None and not is_console(*route_of(request)):
        return  # an API key's request, or a public API route: no cookie speaks for it
    if sign_in is None and SESSION_COOKIE in request.cookies:
        # A public console form (the sign-in page) seen while signed in carries the
        # session's token, as render() put it there.
        identify_softly(request)
        sign_in = getattr(request.state, "sign_in", None)
    expected = sign_in.csrf_token if sign_in else request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if not sent:
        raise Forbidden("the form has no CSRF token; reload the page", code="csrf_token_missing")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden(
            "the form's CSRF token is stale; reload the page", code="csrf_token_invalid"
        )


def current_caller(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="the caller's API key")] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Caller:
    """The authenticated caller (the headers are declared here so the API documents them)."""
    return _identify(request)
