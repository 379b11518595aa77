"""The office manages its people in the console; the access log tells who read or
changed what, and only the office reads it."""

from console import csrf_of, sign_in, submit
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.ledger.identity import Role
from ipfed.nodes.accounts.models import AccessRecord
from ipfed.nodes.accounts.service import add_account
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings

PASSWORD = "correct horse battery"


def office_person(db: Session, settings: NodeSettings) -> str:
    add_account(
        db=db, username="chen.jing", name="陈静", org=settings.org_name, role=Role.REGIONAL,
        password=PASSWORD,
    )  # fmt: skip
    db.commit()
    return "chen.jing"


def shown_password(page: str) -> str:
    return page.split('id="shown-password">')[1].split("<")[0]


def test_the_office_adds_a_person_who_signs_in_then_disables_them(
    client: TestClient, db: Session, settings: NodeSettings
) -> None:
    sign_in(client, office_person(db, settings), PASSWORD)
    form = {"username": "inspector.li", "name": "李检", "org": "中国国际进口博览局", "role": "fair"}
    added = submit(client, "/console/people", "/console/people", form)
    assert added.status_code == 200 and "李检" in added.text and "展会主办方" in added.text
    password = shown_password(added.text)
    assert password not in client.get("/console/people").text  # shown once

    inspector = TestClient(client.app, base_url="https://testserver")
    assert sign_in(inspector, "inspector.li", password).status_code == 303
    home = inspector.get("/console")
    assert home.status_code == 200 and 'href="/console/people"' not in home.text
    assert inspector.get("/console/people").status_code == 403  # not the office

    disabled = submit(client, "/console/people", "/console/people/inspector.li/disable", {})
    assert disabled.status_code == 200 and "已停用" in disabled.text
    # The disabled person's session is over at once, and they cannot sign in again.
    assert inspector.get("/console", follow_redirects=False).status_code == 303
    assert sign_in(inspector, "inspector.li", password).status_code == 401


def test_a_reset_ends_the_sessions_and_the_old_password(
    client: TestClient, db: Session, settings: NodeSettings
) -> None:
    sign_in(client, office_person(db, settings), PASSWORD)
    add_account(
        db=db, username="zhou.min", name="周敏", org=settings.org_name, role=Role.REGIONAL,
        password=PASSWORD,
    )  # fmt: skip
    db.commit()
    colleague = TestClient(client.app, base_url="https://testserver")
    sign_in(colleague, "zhou.min", PASSWORD)
    reset = submit(client, "/console/people", "/console/people/zhou.min/reset", {})
    assert reset.status_code == 200
    new_password = shown_password(reset.text)
    assert colleague.get("/console", follow_redirects=False).status_code == 303
    assert sign_in(colleague, "zhou.min", PASSWORD).status_code == 401
    assert sign_in(colleague, "zhou.min", new_password).status_code == 303


def test_a_bad_new_person_is_refused_on_the_page(
    client: TestClient, db: Session, settings: NodeSettings
) -> None:
    sign_in(client, office_person(db, settings), PASSWORD)
    form = {"username": "chen.jing", "name": "重名", "role": "regional"}
    taken = submit(client, "/console/people", "/console/people", form)
    assert taken.status_code == 409 and "username_taken" in taken.text
    form = {"username": "Bad Name!", "name": "x", "role": "regional"}
    assert submit(client, "/console/people", "/console/people", form).status_code == 422
    form = {"username": "ok.name", "name": "x", "role": "emperor"}
    refused = submit(client, "/console/people", "/console/people", form)
    assert refused.status_code == 422 and "<html" in refused.text


def test_the_access_log_names_people_and_keys_and_only_the_office_reads_it(
    client: TestClient, db: Session, settings: NodeSettings
) -> None:
    sign_in(client, office_person(db, settings), PASSWORD)
    client.get("/console/people")
    client.get("/participants/01JAAAAAAAAAAAAAAAAAAAAAAA")  # personal data, asked by a person
    _, office_key = create_api_key(db=db, org=settings.org_name, role=Role.REGIONAL)
    _, foreign_key = create_api_key(db=db, org="浙江省知识产权局", role=Role.REGIONAL)
    _, platform_key = create_api_key(db=db, org="某电商平台", role=Role.PLATFORM)
    db.commit()
    client.get("/listings", headers={"X-API-Key": platform_key})  # refused: still logged

    log = client.get("/access-log", headers={"X-API-Key": office_key}).json()["items"]
    seen = {(r["person"], r["key_prefix"], r["method"], r["route"], r["status"]) for r in log}
    assert ("chen.jing", None, "GET", "/console/people", 200) in seen
    assert ("chen.jing", None, "GET", "/participants/{participant_id}", 404) in seen
    assert (None, platform_key[:12], "GET", "/listings", 403) in seen
    participant = next(r for r in log if r["route"] == "/participants/{participant_id}")
    assert participant["record_id"] == "participant_id=01JAAAAAAAAAAAAAAAAAAAAAAA"
    assert participant["org"] == settings.org_name
    # Newest first: the office's own read of the log is its latest line next time.
    assert log[0]["route"] == "/listings"

    for key in (foreign_key, platform_key):
        assert client.get("/access-log", headers={"X-API-Key": key}).status_code == 403
    page = client.get("/console/access-log")
    assert (
        page.status_code == 200
        and "陈静" in page.text
        and "/participants/{participant_id}" in page.text
    )
    # Nothing but the fields above is kept: no body, no query string.
    columns = set(AccessRecord.__table__.columns.keys())
    assert columns == {
        "id", "created_at", "account_id", "key_prefix", "org", "role", "method", "route",
        "record_id", "status",
    }  # fmt: skip
    assert db.scalar(select(AccessRecord).where(AccessRecord.route == "/access-log")) is not None


def test_a_session_cookie_on_the_api_needs_the_csrf_token_for_changes(
    client: TestClient, db: Session, settings: NodeSettings
) -> None:
    sign_in(client, office_person(db, settings), PASSWORD)
    home = client.get("/console")
    body = {"kind": "monthly_report", "period": "2026-11"}
    refused = client.post("/filings", json=body)
    assert (refused.status_code, refused.json()["error"]) == (403, "csrf_token_missing")
    made = client.post("/filings", json=body, headers={"X-CSRF-Token": csrf_of(home)})
    assert made.status_code == 201, made.text
    assert client.get("/filings").status_code == 200  # reads need no token
