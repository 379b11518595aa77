"""Signing in and out of the console, as a browser does: real pages, real cookies,
the CSRF token read from the form."""

import base64
import io
from datetime import timedelta

import pyotp
import zxingcpp
from console import Clock, csrf_of, sign_in, submit
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.ledger.identity import Role
from ipfed.nodes.accounts.models import ConsoleSession
from ipfed.nodes.accounts.service import add_account
from ipfed.nodes.config import NodeSettings

PASSWORD = "correct horse battery"


def person(db: Session, settings: NodeSettings, username: str = "wang.fang", **kw: object) -> str:
    add_account(
        db=db,
        username=username,
        name="王芳",
        org=str(kw.get("org", settings.org_name)),
        role=kw.get("role", Role.REGIONAL),  # type: ignore[arg-type]
        password=PASSWORD,
    )
    db.commit()
    return username


def test_a_person_signs_in_sees_the_console_and_signs_out(
    client: TestClient, db: Session, settings: NodeSettings
) -> None:
    username = person(db, settings)
    assert (
        client.get("/console", follow_redirects=False)
        .headers["location"]
        .startswith("/console/sign-in")
    )
    answer = sign_in(client, username, PASSWORD)
    assert (answer.status_code, answer.headers["location"]) == (303, "/console")
    cookie = answer.headers["set-cookie"]
    assert "ipfed_session=" in cookie and "HttpOnly" in cookie and "Secure" in cookie
    assert "samesite=lax" in cookie.lower()

    home = client.get("/console")
    assert home.status_code == 200
    assert "王芳" in home.text and settings.org_name in home.text
    assert 'href="/console/people"' in home.text  # the office's own pages, for its people
    assert client.get("/whoami").json()["person"] == username  # the same caller for the API

    out = client.post("/console/sign-out", data={"csrf_token": csrf_of(home)})
    assert out.status_code == 200 and "您已退出" in out.text
    assert client.get("/console", follow_redirects=False).status_code == 303
    assert db.scalar(select(ConsoleSession.ended_at)) is not None


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(
    client: TestClient, db: Session, settings: NodeSettings
) -> None:
    username = person(db, settings)
    wrong = sign_in(client, username, "not the password")
    unknown = sign_in(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名、密码或验证码不正确" in wrong.text
    assert wrong.text.replace(username, "nobody") == unknown.text.replace(
        csrf_of(wrong), csrf_of(unknown)
    )
    assert "ipfed_session" not in wrong.headers.get("set-cookie", "")


def test_a_form_without_its_csrf_token_is_refused(
    client: TestClient, db: Session, settings: NodeSettings
) -> None:
    username = person(db, settings)
    client.get("/console/sign-in")
    refused = client.post("/console/sign-in", data={"username": username, "password": PASSWORD})
    assert refused.status_code == 403 and "csrf_token_missing" in refused.text
    assert sign_in(client, username, PASSWORD).status_code == 303

    bare = client.post("/console/sign-out")
    assert bare.status_code == 403 and "csrf_token_missing" in bare.text
    forged = client.post("/console/sign-out", data={"csrf_token": "forged"})
    assert forged.status_code == 403 and "csrf_token_invalid" in forged.text
    assert client.get("/console").status_code == 200  # still signed in


def test_the_session_ends_after_idle_time(
    client: TestClient, db: Session, settings: NodeSettings, clock: Clock
) -> None:
    sign_in(client, person(db, settings), PASSWORD)
    clock.advance(minutes=settings.session_idle_minutes - 1)
    assert client.get("/console").status_code == 200
    clock.advance(minutes=settings.session_idle_minutes - 1)  # seen a minute ago: still idle
    assert client.get("/console").status_code == 200
    clock.advance(minutes=settings.session_idle_minutes + 1)
    expired = client.get("/console", follow_redirects=False)
    assert expired.status_code == 303 and "ended=expired" in expired.headers["location"]


def test_the_session_ends_after_its_lifetime_however_busy(
    client: TestClient, db: Session, settings: NodeSettings, clock: Clock
) -> None:
    sign_in(client, person(db, settings), PASSWORD)
    end = clock.now + timedelta(hours=settings.session_lifetime_hours)
    while clock.now + timedelta(minutes=20) < end:
        clock.advance(minutes=20)
        assert client.get("/console", follow_redirects=False).status_code == 200
    clock.advance(minutes=20)
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    client: TestClient, db: Session, settings: NodeSettings, clock: Clock
) -> None:
    username = person(db, settings)
    for _ in range(settings.sign_in_failure_limit):
        assert sign_in(client, username, "guess guess guess").status_code == 401
    assert sign_in(client, username, PASSWORD).status_code == 401  # locked
    clock.advance(minutes=settings.sign_in_lockout_minutes + 1)
    assert sign_in(client, username, PASSWORD).status_code == 303


def test_one_address_failing_too_often_is_held_off(
    client: TestClient, db: Session, settings: NodeSettings, clock: Clock
) -> None:
    username = person(db, settings)
    for i in range(settings.sign_in_address_limit):
        assert sign_in(client, f"guess{i}", "guess guess guess").status_code == 401
    held = sign_in(client, username, PASSWORD)
    assert held.status_code == 429 and "retry-after" in held.headers
    assert "登录失败次数过多" in held.text
    clock.advance(seconds=settings.sign_in_address_window_seconds + 1)
    assert sign_in(client, username, PASSWORD).status_code == 303


def test_an_enrolled_second_factor_is_required_and_verified(
    client: TestClient, db: Session, settings: NodeSettings, clock: Clock
) -> None:
    username = person(db, settings)
    sign_in(client, username, PASSWORD)
    page = client.get("/console/two-factor")
    secret = page.text.split('name="secret" value="')[1].split('"')[0]
    # The QR code an authenticator app scans holds the otpauth URI of that key.
    png = base64.b64decode(page.text.split('src="data:image/png;base64,')[1].split('"')[0])
    (barcode,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert barcode.text == pyotp.TOTP(secret).provisioning_uri(
        name=username, issuer_name=settings.org_name
    )
    form = {"secret": secret, "code": pyotp.TOTP(secret).at(clock.now)}
    assert submit(client, "/console/two-factor", "/console/two-factor", form).status_code == 303
    client.cookies.clear()

    assert sign_in(client, username, PASSWORD).status_code == 401  # no code
    wrong = f"{(int(pyotp.TOTP(secret).at(clock.now)) + 1) % 1_000_000:06d}"
    assert sign_in(client, username, PASSWORD, wrong).status_code == 401
    clock.advance(minutes=1)
    code = pyotp.TOTP(secret).at(clock.now)
    assert sign_in(client, username, PASSWORD, code).status_code == 303
    client.cookies.clear()
    assert sign_in(client, username, PASSWORD, code).status_code == 401  # a code is good once


def test_an_office_must_enrol_before_anything_else_when_the_node_says_so(
    client: TestClient, db: Session, settings: NodeSettings, clock: Clock
) -> None:
    client.app.state.settings = settings.model_copy(  # type: ignore[attr-defined]
        update={"require_totp_for_offices": True}
    )
    username = person(db, settings)
    answer = sign_in(client, username, PASSWORD)
    assert answer.headers["location"] == "/console/two-factor"
    assert client.get("/console", follow_redirects=False).headers["location"] == (
        "/console/two-factor"
    )
    assert client.get("/whoami").json()["error"] == "totp_enrolment_required"
    page = client.get("/console/two-factor")
    assert "本单位要求启用双重验证" in page.text
    secret = page.text.split('name="secret" value="')[1].split('"')[0]
    form = {"secret": secret, "code": pyotp.TOTP(secret).at(clock.now)}
    assert submit(client, "/console/two-factor", "/console/two-factor", form).status_code == 303
    assert client.get("/console").status_code == 200

    platform = person(db, settings, "li.lei", org="某电商平台", role=Role.PLATFORM)
    client.cookies.clear()
    assert sign_in(client, platform, PASSWORD).headers["location"] == "/console"


def test_signing_in_again_from_a_signed_in_browser_ends_the_first_session(
    client: TestClient, db: Session, settings: NodeSettings
) -> None:
    first = person(db, settings)
    second = person(db, settings, "zhang.wei")
    sign_in(client, first, PASSWORD)
    assert client.get("/whoami").json()["person"] == first
    assert sign_in(client, second, PASSWORD).status_code == 303
    assert client.get("/whoami").json()["person"] == second
    ended = db.scalars(select(ConsoleSession).order_by(ConsoleSession.id)).all()
    assert [s.ended_at is not None for s in ended] == [True, False]
