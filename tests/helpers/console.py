"""Driving the console as a browser would, with FastAPI's TestClient: pages are
fetched, the CSRF token is read from the form, cookies come and go as the node sets
them."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.identity import Role
from ipfed.nodes.accounts.models import Account
from ipfed.nodes.accounts.service import add_account
from ipfed.nodes.app import create_app
from ipfed.nodes.config import NodeSettings

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery"  # every test person's


@dataclass
class Clock:
    """The node's clock, moved by the test (``app.state.clock = clock``)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 12, 3, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def app_client(
    settings: NodeSettings, engine: Engine, sessions: sessionmaker[Session], clock: Clock
) -> Iterator[TestClient]:
    """The node's app on the test's transaction and clock, reached over https (its public
    URL is https, so its cookies are Secure and a client sends them back over https only)."""
    app = create_app(settings, engine)
    app.state.sessions = sessions
    app.state.clock = clock
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        yield client


def csrf_of(page: Response) -> str:
    """The CSRF token of the page's (first) form."""
    found = CSRF.search(page.text)
    assert found, f"no CSRF token in the page {page.url}"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str, code: str | None = None) -> Response:
    """Open the sign-in page and submit its form, as a person would."""
    page = client.get("/console/sign-in")
    assert page.status_code == 200
    form = {"csrf_token": csrf_of(page), "username": username, "password": password}
    if code is not None:
        form["code"] = code
    return client.post("/console/sign-in", data=form, follow_redirects=False)


def add_person(
    db: Session, username: str, org: str, role: Role = Role.REGIONAL, *, name: str = ""
) -> Account:
    """A person of ``org`` with the tests' ``PASSWORD``, committed."""
    account, _ = add_account(
        db=db,
        username=username,
        name=name or username.title(),
        org=org,
        role=role,
        password=PASSWORD,
    )
    db.commit()
    return account


def signed_in(
    client: TestClient,
    db: Session,
    username: str,
    org: str,
    role: Role = Role.REGIONAL,
    *,
    name: str = "",
) -> Account:
    """A new person of ``org``, signed in on ``client`` (anyone signed in before is out)."""
    account = add_person(db, username, org, role, name=name)
    client.cookies.clear()
    assert sign_in(client, username, PASSWORD).status_code == 303
    return account


def submit(client: TestClient, page_path: str, action: str, form: dict[str, str]) -> Response:
    """Open ``page_path`` and post ``form`` to ``action`` with the page's CSRF token."""
    page = client.get(page_path)
    assert page.status_code == 200, page.text
    return client.post(action, data={"csrf_token": csrf_of(page), **form}, follow_redirects=False)
