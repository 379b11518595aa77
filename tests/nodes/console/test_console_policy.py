"""The console's routes meet the one policy: each is declared, and a person of every
role, of the node's own organisation and of a foreign one, gets what the policy says."""

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ipfed.ledger.identity import Role
from ipfed.nodes.accounts.service import add_account
from ipfed.nodes.accounts.sessions import start_session
from ipfed.nodes.auth.dependencies import SESSION_COOKIE
from ipfed.nodes.auth.policy import CONSOLE, DOCUMENTATION, ROUTES, audience_of
from ipfed.nodes.config import NodeSettings

FOREIGN = "浙江省知识产权局"
DUMMY = "nobody-at-all"


def concrete(path: str) -> str:
    return path.replace("{username}", DUMMY)


def test_every_route_of_the_app_is_declared_and_console_routes_are_not_in_the_api(
    client: TestClient,
) -> None:
    routes = {
        (method, route.path)
        for route in iter_route_contexts(client.app.routes)  # type: ignore[attr-defined]
        if isinstance(route.original_route, APIRoute)
        for method in route.methods or ()
    }
    undeclared = routes - set(ROUTES) - set(CONSOLE) - set(DOCUMENTATION)
    assert undeclared == set()
    assert set(CONSOLE) <= routes
    documented = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    assert not any(path in documented for _, path in CONSOLE)


def test_without_a_session_pages_lead_to_sign_in_and_forms_are_refused(
    client: TestClient,
) -> None:
    for (method, path), audience in CONSOLE.items():
        answer = client.request(method, concrete(path), follow_redirects=False)
        if not audience.needs_key:
            assert answer.status_code in (200, 303, 403), (method, path)  # 403: no CSRF token
        elif method == "GET":
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/console/sign-in?next=/console"), path
        else:
            assert answer.status_code == 401, path


def test_every_console_route_answers_every_person_as_the_policy_says(
    client: TestClient, db: Session, settings: NodeSettings
) -> None:
    now = client.app.state.clock()  # type: ignore[attr-defined]
    accounts = {}
    for role in Role:
        for own in (True, False):
            org = settings.org_name if own else FOREIGN
            accounts[(role, own)] = add_account(
                db=db,
                username=f"{role.value.replace('_', '-')}-{'own' if own else 'foreign'}",
                name="测试",
                org=org,
                role=role,
                password="a long enough password",
            )[0]
    wrong, checked = [], 0
    for (method, path), audience in CONSOLE.items():
        if not audience.needs_key:
            continue
        for (role, own), account in accounts.items():
            session, token = start_session(db=db, settings=settings, account=account, now=now)
            db.commit()
            client.cookies.clear()
            client.cookies.set(SESSION_COOKIE, token)
            answer = client.request(
                method,
                concrete(path),
                headers={"X-CSRF-Token": session.csrf_token},
                follow_redirects=False,
            )
            admitted = audience.admits(org=account.org, role=role, node_org=settings.org_name)
            refused = answer.status_code in (401, 403) or (
                answer.status_code == 303 and "next=" in answer.headers["location"]
            )
            checked += 1
            if admitted == refused or answer.status_code >= 500:
                wrong.append((method, path, role, own, answer.status_code))
            if answer.status_code == 200:
                assert "data-untranslated" not in answer.text, (path, role)
    assert wrong == []
    assert checked == sum(a.needs_key for a in CONSOLE.values()) * len(Role) * 2
    assert audience_of("GET", "/console/people").name == "the node's own office"
