"""Rendering the console's pages: one Jinja2 environment over ``templates/``, and
:func:`render`, which every page calls.

Every page gets, besides its own context: ``caller`` and ``person`` (None when nobody
is signed in), ``lang``, ``csrf_token`` (put it in every form as the ``csrf_token``
field), ``navigation`` (the links the caller may follow), ``node`` (the node's
settings) and the ``words`` filter (``{{ "suspended" | words }}``). Answers carry a
Content-Security-Policy that lets a page load nothing from another host.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ipfed.ledger.identity import OFFICES, Role
from ipfed.nodes.auth.dependencies import (
    CSRF_COOKIE,
    Caller,
    SignIn,
    identify_softly,
)
from ipfed.nodes.auth.policy import (
    ANY_MEMBER,
    FAIRS_AND_REGULATORS,
    NATIONAL_OFFICE,
    OWN_OFFICE,
    RECEIVERS,
    SCANNERS,
    Audience,
)
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.console import i18n

# Resolved: an editable install links each file of the package, and static files are
# served only from where they really are.
HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

# Pages send nothing to, and load nothing from, another host.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Link:
    """A link of the console's navigation, shown to the callers its audience admits."""

    path: str
    code: str  # its words in the catalogue
    audience: Audience


# Audiences of links only: the pages admit offices too, as the API does.
LEAD_RECEIVERS = Audience("organisations that receive leads", RECEIVERS.roles - OFFICES)
DETECTING_FOR_RIGHTS = Audience(
    "holders and centres", frozenset({Role.RIGHTS_HOLDER, Role.ASSISTANCE_CENTRE})
)

# Each page adds its link here (in the order the header shows them).
NAVIGATION: list[Link] = [
    Link("/console", "home", ANY_MEMBER),
    Link("/console/queue", "work_queue", OWN_OFFICE),
    Link("/console/marks", "marks", OWN_OFFICE),
    Link("/console/registers", "registers", OWN_OFFICE),
    Link("/console/people", "people", OWN_OFFICE),
    Link("/console/access-log", "access_log", OWN_OFFICE),
    Link("/console/fairs", "fairs", FAIRS_AND_REGULATORS),
    Link("/console/patrol", "patrol", FAIRS_AND_REGULATORS),
    # The organisations that act on leads (an office works from its queue instead).
    Link("/console/received", "received_leads", LEAD_RECEIVERS),
    Link("/console/detection", "detection_tasks", DETECTING_FOR_RIGHTS),
    Link("/console/national/leads", "national_leads", NATIONAL_OFFICE),
    Link("/console/national/filings", "national_filings", NATIONAL_OFFICE),
    Link("/console/national/ledger", "ledger_health", NATIONAL_OFFICE),
    Link("/console/check", "check_mark", SCANNERS),
]


@pass_context
def _words(context: Context, code: object) -> Markup:
    return i18n.words_markup(code, context.get("lang", i18n.DEFAULT))


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "—"


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,  # a misspelt variable fails the page (and its test)
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["words"] = _words
environment.filters["when"] = _when
templates = Jinja2Templates(env=environment)


def navigation(caller: Caller | None, settings: NodeSettings) -> list[Link]:
    if caller is None:
        return []
    return [
        link
        for link in NAVIGATION
        if link.audience.admits(org=caller.org, role=caller.role, node_org=settings.org_name)
    ]


def csrf_token_of(request: Request) -> tuple[str, bool]:
    """The token forms carry, and whether it is new (to be set in a cookie)."""
    sign_in: SignIn | None = getattr(request.state, "sign_in", None)
    if sign_in is not None:
        return sign_in.csrf_token, False
    known = request.cookies.get(CSRF_COOKIE)
    return (known, False) if known else (secrets.token_urlsafe(32), True)


def render(
    request: Request, template_name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """The page ``template_name`` with ``context`` and what every page needs."""
    settings: NodeSettings = request.app.state.settings
    caller = identify_softly(request)
    lang = i18n.language_of(request)
    csrf_token, new_token = csrf_token_of(request)
    full = {
        "caller": caller,
        "person": caller.person if caller else None,
        "lang": lang,
        "other_lang": "en" if lang == "zh" else "zh",
        "csrf_token": csrf_token,
        "navigation": navigation(caller, settings),
        "node": settings,
        "path": request.url.path,
        **context,
    }
    response = templates.TemplateResponse(request, template_name, full, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    secure = settings.public_base_url.startswith("https://")
    if new_token:
        set_cookie(response, CSRF_COOKIE, csrf_token, secure=secure)
    if request.query_params.get("lang") == lang:
        set_cookie(response, i18n.COOKIE, lang, secure=secure, max_age=365 * 24 * 3600)
    return response


def set_cookie(
    response: HTMLResponse | Any, name: str, value: str, *, secure: bool, max_age: int | None = None
) -> None:
    """A cookie of the console: HttpOnly, SameSite=Lax, Secure behind https."""
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=secure, httponly=True, samesite="lax"
    )
