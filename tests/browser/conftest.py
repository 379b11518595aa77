"""Browser tests: a real node process with data to show, and Debian's chromium driven
by Playwright at desktop (1280x800) and phone (390x844, touch) sizes.

Without chromium the tests skip with the reason; with ``CI=true`` they fail instead
(``scripts/check`` installs it)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Tab, chromium_path, in_ci, launched, opened, unavailable
from playwright.sync_api import Browser
from showcase import Showcase, showcase


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="module")  # Playwright's event loop must not outlive the browser tests
def chromium() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        unavailable("Debian's chromium is not installed (apt-get install chromium)", ci=in_ci())
    with launched(executable) as browser:
        yield browser


@pytest.fixture(scope="session")
def shown(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Showcase]:
    with showcase(tmp_path_factory.mktemp("showcase")) as node:
        yield node


@pytest.fixture(params=["desktop", "phone"])
def tab(request: pytest.FixtureRequest, chromium: Browser) -> Iterator[Tab]:
    """A page at desktop, then at phone size."""
    with opened(chromium, request.param) as opened_tab:
        yield opened_tab


@pytest.fixture
def desktop(chromium: Browser) -> Iterator[Tab]:
    with opened(chromium, "desktop") as opened_tab:
        yield opened_tab


@pytest.fixture
def phone(chromium: Browser) -> Iterator[Tab]:
    with opened(chromium, "phone") as opened_tab:
        yield opened_tab
