"""The browser tests' own rules: skipped without a browser, except in CI; only
loopback counts as this machine."""

import pytest
from browser import is_loopback, unavailable


def test_a_missing_browser_skips_outside_ci_and_fails_in_ci() -> None:
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        unavailable("no chromium", ci=False)
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser tests"):
        unavailable("no chromium", ci=True)


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8000/v/x", True),
        ("http://localhost:8000/static/console.css", True),
        ("http://[::1]:8000/", True),
        ("data:image/png;base64,AAAA", True),
        ("https://cdn.jsdelivr.net/npm/swagger-ui-dist/swagger-ui.css", False),
        ("http://10.0.0.1/", False),
        ("http://127.0.0.1.example.com/", False),
    ],
)
def test_only_loopback_is_this_machine(url: str, local: bool) -> None:
    assert is_loopback(url) is local
