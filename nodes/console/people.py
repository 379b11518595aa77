"""The office's pages for its people: accounts (add, disable, reset) and the access log."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse

from ipfed.ledger.identity import Role
from ipfed.nodes.accounts.access import access_page
from ipfed.nodes.accounts.service import (
    add_account,
    disable_account,
    get_account,
    is_locked,
    list_accounts,
    reset_account,
)
from ipfed.nodes.console.dependencies import Now, Signed
from ipfed.nodes.console.templating import render
from ipfed.nodes.database.core import transaction
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.http import After, Settings

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


def _people_page(request: Request, status_code: int = 200, **context: object) -> HTMLResponse:
    now = request.app.state.clock()
    with request.app.state.sessions() as db:
        accounts = list_accounts(db=db)
    people = [
        {
            "account": account,
            "state": "disabled"
            if account.disabled_at
            else "locked"
            if is_locked(account, now)
            else "active",
        }
        for account in accounts
    ]
    full = {
        "people": people,
        "roles": list(Role),
        "shown_password": None,
        "shown_for": None,
        "message": None,
        "error": None,
        **context,
    }
    return render(request, "people.html", full, status_code=status_code)


@router.get("/console/people")
def people_page(request: Request, _: Signed) -> HTMLResponse:
    return _people_page(request)


@router.post("/console/people")
def people_add(
    request: Request,
    settings: Settings,
    _: Signed,
    username: Annotated[str, Form(max_length=64)],
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[Role, Form()],
    org: Annotated[str, Form(max_length=300)] = "",
) -> HTMLResponse:
    try:
        with transaction(request.app.state.sessions) as db:
            account, password = add_account(
                db=db,
                username=username.strip().lower(),
                name=name,
                org=org.strip() or settings.org_name,
                role=role,
            )
    except IpfedError as exc:
        return _people_page(request, status_code=exc.status_code, error=exc)
    return _people_page(
        request, message="person_added", shown_password=password, shown_for=account.username
    )


@router.post("/console/people/{username}/disable")
def people_disable(request: Request, _: Signed, now: Now, username: str) -> HTMLResponse:
    with transaction(request.app.state.sessions) as db:
        disable_account(db=db, account=get_account(db=db, username=username), now=now)
    return _people_page(request, message="person_disabled", shown_for=username)


@router.post("/console/people/{username}/reset")
def people_reset(
    request: Request,
    _: Signed,
    now: Now,
    username: str,
    clear_totp: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    with transaction(request.app.state.sessions) as db:
        account = get_account(db=db, username=username)
        password = reset_account(db=db, account=account, now=now, clear_totp=clear_totp)[1]
    return _people_page(
        request, message="password_reset", shown_password=password, shown_for=username
    )


@router.get("/console/access-log")
def access_log_page(request: Request, _: Signed, after: After = None) -> HTMLResponse:
    with request.app.state.sessions() as db:
        rows = access_page(db=db, after=after, limit=PAGE_SIZE)
        records = [
            {"record": row, "person": row.account.name if row.account else None} for row in rows
        ]
    following = rows[-1].id if len(rows) == PAGE_SIZE else None
    return render(request, "access_log.html", {"records": records, "following": following})
