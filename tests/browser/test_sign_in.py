"""Signing in as a person would, in the browser: a second factor turned on and then
asked for, an account locked after repeated failures, and a form sent without its
CSRF token refused. Each test makes its own person with ``ipfed users add``."""

import re
import time

import pyotp
from browser import Tab, assert_sound
from playwright.sync_api import Page
from processes import ipfed
from showcase import Showcase

FAILED = "用户名、密码或验证码不正确，或账号暂时无法登录。"


def new_person(shown: Showcase, username: str) -> str:
    """A regional officer of the node's office; their first password."""
    made = ipfed(
        "users", "add", username, "--name", "测试员", "--role", "regional",
        "-d", str(shown.settings.data_dir),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    found = re.search(r"password (\S+) \(shown once\)", made.stdout)
    assert found, made.stdout
    return found.group(1)


def fill_sign_in(page: Page, shown: Showcase, username: str, password: str, code: str = "") -> None:
    page.goto(shown.url + "/console/sign-in")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    if code:
        page.get_by_label("动态验证码").fill(code)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def test_a_second_factor_turned_on_is_asked_for(tab: Tab, shown: Showcase) -> None:
    page, username = tab.page, f"totp.{tab.size}"
    password = new_person(shown, username)
    fill_sign_in(page, shown, username, password)
    page.goto(shown.url + "/console/two-factor")
    assert_sound(tab)
    totp = pyotp.TOTP(page.locator("input[name=secret]").input_value())
    # The previous step's code: a code is good once, and signing in below uses the current one.
    page.get_by_label("动态验证码").fill(totp.at(time.time() - 30))
    page.get_by_role("button", name="启用双重验证").click()
    assert page.get_by_text("双重验证已启用。").is_visible()
    page.get_by_role("button", name="退出").click()

    fill_sign_in(page, shown, username, password)
    assert page.url.startswith(shown.url + "/console/sign-in")
    assert page.get_by_role("alert").inner_text() == FAILED
    fill_sign_in(page, shown, username, password, totp.now())
    assert page.url == shown.url + "/console"
    assert_sound(tab)


def test_repeated_failures_lock_the_account(tab: Tab, shown: Showcase) -> None:
    page, username = tab.page, f"locked.{tab.size}"
    password = new_person(shown, username)
    for _ in range(5):
        fill_sign_in(page, shown, username, "not-the-password")
        assert page.get_by_role("alert").inner_text() == FAILED
    # The right password no longer opens the account, and the page does not say why.
    fill_sign_in(page, shown, username, password)
    assert page.url.startswith(shown.url + "/console/sign-in")
    assert page.get_by_role("alert").inner_text() == FAILED
    assert_sound(tab)


def test_a_form_without_its_token_is_refused(tab: Tab, shown: Showcase) -> None:
    page, username = tab.page, f"forged.{tab.size}"
    fill_sign_in(page, shown, username, new_person(shown, username))
    page.goto(shown.url + "/console/two-factor")
    page.locator("form[action='/console/two-factor'] input[name=csrf_token]").evaluate(
        "input => input.remove()"
    )
    page.get_by_label("动态验证码").fill("123456")
    with page.expect_response(shown.url + "/console/two-factor") as sent:
        page.get_by_role("button", name="启用双重验证").click()
    assert sent.value.status == 403
    assert page.locator("code").inner_text() == "csrf_token_missing"
