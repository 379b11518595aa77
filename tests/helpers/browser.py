"""Driving the node's pages in Debian's chromium through Playwright, and the checks
every page must pass: nothing fetched from another host, no 5xx, no wider than a
390-pixel phone, no code shown untranslated, no serious accessibility violation
(axe-core, bundled in ``axe-playwright-python``, injected into the page: no network).
"""

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from ipaddress import ip_address
from typing import Any, NoReturn
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Request,
    Response,
    Route,
    sync_playwright,
)

from ipfed.nodes.console.i18n import CATALOGUE

# Quiet, headless and offline: no sandbox (CI runs as root), no GPU, and none of
# chromium's own calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

PHONE_WIDTH = 390
SIZES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": PHONE_WIDTH, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
SERIOUS = frozenset({"serious", "critical"})
# A code as the API spells it (``clone_alerts``) showing through as text.
CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
CODES = frozenset(key for key in CATALOGUE if "_" in key)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str, *, ci: bool) -> NoReturn:
    """Skip a browser test that cannot run here, with the reason; in CI, fail it."""
    if ci:
        pytest.fail(f"{reason}: CI must run the browser tests (scripts/check installs it)")
    pytest.skip(reason)


def chromium_path() -> str | None:
    """Debian's chromium, or the one ``IPFED_CHROMIUM`` names."""
    return os.environ.get("IPFED_CHROMIUM") or shutil.which("chromium")


@contextmanager
def launched(executable: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Watch:
    """Every request a browser context made and every answer it got. Requests to
    another host are refused before they leave, and remembered."""

    requests: list[str] = field(default_factory=list)
    other_hosts: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    broken_assets: list[str] = field(default_factory=list)  # a style or image not served

    def attach(self, context: BrowserContext) -> None:
        context.route("**/*", self._route)
        context.on("request", self._request)
        context.on("response", self._response)

    def take(self) -> list[str]:
        """What went wrong in the requests seen so far, as sentences; then forgotten."""
        seen = [f"fetched from another host: {url}" for url in self.other_hosts]
        seen += [f"server error: {error}" for error in self.server_errors]
        seen += [f"not served: {asset}" for asset in self.broken_assets]
        self.other_hosts, self.server_errors, self.broken_assets = [], [], []
        return seen

    def _route(self, route: Route) -> None:
        if is_loopback(route.request.url):
            route.continue_()
        else:
            self.other_hosts.append(route.request.url)
            route.abort("blockedbyclient")

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")
        elif response.status >= 400 and response.request.resource_type != "document":
            self.broken_assets.append(f"{response.status} {response.url}")


@dataclass
class Tab:
    """A page of one size, with what it fetched watched."""

    size: str
    page: Page
    watch: Watch

    @property
    def phone(self) -> bool:
        return self.size == "phone"


@contextmanager
def opened(browser: Browser, size: str) -> Iterator[Tab]:
    context = browser.new_context(**SIZES[size], locale="zh-CN")
    watch = Watch()
    watch.attach(context)
    try:
        yield Tab(size, context.new_page(), watch)
    finally:
        context.close()


def untranslated(page: Page) -> list[str]:
    """Codes the page shows instead of words: marked by the console's word filter, or
    a catalogue code in the visible text."""
    marked = page.locator("[data-untranslated]").all_inner_texts()
    text = page.locator("body").inner_text()
    shown = [code for code in CODE.findall(text) if code in CODES]
    return marked + shown


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def problems(tab: Tab, *, ours: bool = True) -> list[str]:
    """What is wrong with the page the tab shows (and what it fetched since the last
    look), as sentences: empty when nothing. A page that is not ``ours`` (the API
    documentation, drawn by Swagger UI and ReDoc) shows the API's codes by design
    and is not ours to fix for accessibility: it is held to the other checks."""
    page = tab.page
    found = tab.watch.take()
    if tab.phone:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            found.append(f"{width} px wide on a {PHONE_WIDTH} px phone")
    if ours:
        found += [f"untranslated code: {code}" for code in untranslated(page)]
        found += [f"accessibility: {v}" for v in serious_violations(page)]
    return found


def assert_sound(tab: Tab) -> None:
    """The page the tab shows passes every check."""
    found = problems(tab)
    assert not found, f"{tab.page.url} at {tab.size} size:\n" + "\n".join(found)
