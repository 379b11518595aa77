"""The console's own pages: the way in (sign-in, two-step verification, sign-out)
and the home page. Each form posts back with its CSRF token (checked app-wide by
:func:`ipfed.nodes.auth.dependencies.check_csrf`)."""

import base64
import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.responses import HTMLResponse

from ipfed.nodes.accounts.service import (
    SignInFailed,
    enrol_totp,
    get_account,
    is_totp_secret,
    new_totp_secret,
    requires_totp,
    sign_in,
    totp_uri,
)
from ipfed.nodes.accounts.sessions import end_session, finish_enrolment, start_session
from ipfed.nodes.auth.dependencies import SESSION_COOKIE, SignIn
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.console.dependencies import Now, Signed, person_of
from ipfed.nodes.console.templating import render, set_cookie
from ipfed.nodes.database.core import transaction
from ipfed.nodes.errors import InvalidInput
from ipfed.nodes.http import Settings
from ipfed.registry.qr import qr_png

router = APIRouter(include_in_schema=False)


def _next_page(candidate: str | None) -> str:
    """Where to go after signing in: a page of the console, never another site."""
    if candidate and candidate.startswith("/console") and not candidate.startswith("//"):
        return candidate
    return "/console"


def _secure(settings: NodeSettings) -> bool:
    return settings.public_base_url.startswith("https://")


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/console", status_code=303)


@router.get("/console/sign-in")
def sign_in_page(
    request: Request, next: str | None = None, ended: str | None = None
) -> HTMLResponse:
    message = {"out": "signed_out", "expired": "session_expired"}.get(ended or "")
    context = {"next": _next_page(next), "message": message, "message_kind": "good", "username": ""}
    return render(request, "sign_in.html", context)


@router.post("/console/sign-in")
def sign_in_submit(
    request: Request,
    settings: Settings,
    now: Now,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    code: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=300)] = "/console",
) -> Response:
    failures = request.app.state.sign_in_failures
    address = f"address {request.client.host if request.client else 'unknown'}"
    wait = failures.retry_after(address, now.timestamp())
    if wait > 0:
        return _sign_in_refused(request, username, next, status_code=429, wait=wait)
    token = None
    earlier: SignIn | None = getattr(request.state, "sign_in", None)
    with transaction(request.app.state.sessions) as db:
        if earlier is not None:  # signing in again, perhaps as someone else
            end_session(db=db, session_id=earlier.session_id, now=now)
        try:
            account = sign_in(
                db=db, settings=settings, username=username, password=password, code=code, now=now
            )
        except SignInFailed:
            pass  # the failure counts against the account: this transaction commits it
        else:
            pending = requires_totp(settings, account) and account.totp_secret is None
            _, token = start_session(
                db=db, settings=settings, account=account, now=now, enrolment_pending=pending
            )
            target = "/console/two-factor" if pending else _next_page(next)
    if token is None:
        failures.record(address, now.timestamp())
        return _sign_in_refused(request, username, next, status_code=401)
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, SESSION_COOKIE, token, secure=_secure(settings))
    return response


def _sign_in_refused(
    request: Request, username: str, next: str, *, status_code: int, wait: float = 0
) -> HTMLResponse:
    context = {
        "next": _next_page(next),
        "message": "too_many_sign_ins" if wait else "sign_in_failed",
        "message_kind": "bad",
        "username": username,
    }
    response = render(request, "sign_in.html", context, status_code=status_code)
    if wait:
        response.headers["Retry-After"] = str(math.ceil(wait))
    return response


@router.post("/console/sign-out")
def sign_out(request: Request, settings: Settings, now: Now) -> RedirectResponse:
    sign_in_state: SignIn | None = getattr(request.state, "sign_in", None)
    if sign_in_state is not None:
        with transaction(request.app.state.sessions) as db:
            end_session(db=db, session_id=sign_in_state.session_id, now=now)
    response = RedirectResponse("/console/sign-in?ended=out", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=_secure(settings), httponly=True, samesite="lax"
    )
    return response


@router.get("/console")
def home(request: Request, caller: Signed) -> HTMLResponse:
    enrolled = False
    if caller.person is not None:
        with request.app.state.sessions() as db:
            enrolled = get_account(db=db, username=caller.person.username).totp_secret is not None
    return render(request, "home.html", {"totp_enrolled": enrolled})


@router.get("/console/two-factor")
def two_factor_page(request: Request, settings: Settings, caller: Signed) -> HTMLResponse:
    person = person_of(caller)
    with request.app.state.sessions() as db:
        account = get_account(db=db, username=person.username)
    if account.totp_secret is not None:
        return render(request, "two_factor.html", {"enrolled": True})
    return _enrolment(request, settings, account.username, new_totp_secret(), wrong=False)


def _enrolment(
    request: Request, settings: NodeSettings, username: str, secret: str, *, wrong: bool
) -> HTMLResponse:
    with request.app.state.sessions() as db:
        account = get_account(db=db, username=username)
    uri = totp_uri(account=account, secret=secret, issuer=settings.org_name or settings.node_id)
    context = {
        "enrolled": False,
        "secret": secret,
        "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr": "data:image/png;base64," + base64.b64encode(qr_png(uri)).decode(),
        "required": getattr(request.state, "sign_in", None) is not None
        and request.state.sign_in.enrolment_pending,
        "wrong": wrong,
    }
    return render(request, "two_factor.html", context, status_code=422 if wrong else 200)


@router.post("/console/two-factor")
def two_factor_submit(
    request: Request,
    settings: Settings,
    caller: Signed,
    now: Now,
    secret: Annotated[str, Form(max_length=64)] = "",
    code: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    person = person_of(caller)
    try:
        with transaction(request.app.state.sessions) as db:
            account = get_account(db=db, username=person.username)
            enrol_totp(account=account, secret=secret, code=code, now=now)
            sign_in_state: SignIn | None = getattr(request.state, "sign_in", None)
            if sign_in_state is not None:
                finish_enrolment(db=db, session_id=sign_in_state.session_id)
    except InvalidInput:
        secret = secret if is_totp_secret(secret) else new_totp_secret()
        return _enrolment(request, settings, person.username, secret, wrong=True)
    return RedirectResponse("/console/two-factor", status_code=303)
