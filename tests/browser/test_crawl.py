"""A crawler: from the public pages, follow every same-host link it can reach and
hold each page to the checks every page must pass (tests/helpers/browser.py).

Signed in, each person of the showcase crawls from the console home of their node: a
person of every role once the showcase has one (the national office's at the national
node)."""

from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from browser import Tab, problems
from showcase import PEOPLE, Showcase

MAX_PAGES = 60  # a bound, so a page that links to endless pages cannot hang the test
API_DOCS = ("/docs", "/redoc")  # drawn by Swagger UI and ReDoc, not by our templates


def crawl(tab: Tab, start: list[str]) -> dict[str, list[str]]:
    """Every page reachable from ``start`` on the same host, and what is wrong with it."""
    host = urlsplit(start[0]).netloc
    queue, seen, found = list(start), set(start), {}
    while queue and len(found) < MAX_PAGES:
        url = queue.pop(0)
        answer = tab.page.goto(url, wait_until="networkidle")
        assert answer is not None, url
        if answer.status >= 500:
            found[url] = [f"server error {answer.status}"]
            continue
        if "text/html" not in answer.headers.get("content-type", ""):
            continue
        found[url] = problems(tab, ours=urlsplit(url).path not in API_DOCS)
        # A link with ``download`` fetches a file (a sheet of labels), not a page.
        for href in tab.page.eval_on_selector_all(
            "a[href]:not([download])", "a => a.map(l => l.href)"
        ):
            link = urldefrag(urljoin(url, href)).url
            if urlsplit(link).netloc == host and link not in seen:
                seen.add(link)
                queue.append(link)
    return found


def test_the_public_pages_pass_every_check(tab: Tab, shown: Showcase) -> None:
    start = [
        shown.url + "/",
        shown.page(shown.valid),
        shown.page(shown.unit),
        shown.page(shown.suspended),
        shown.url + "/docs",
        shown.url + "/redoc",
    ]
    found = crawl(tab, start)
    assert set(start) <= set(found)
    bad = {url: issues for url, issues in found.items() if issues}
    assert not bad, "\n".join(f"{url}:\n  " + "\n  ".join(i) for url, i in bad.items())


@pytest.mark.parametrize("username", sorted(PEOPLE))
def test_every_page_a_person_reaches_passes_every_check(
    tab: Tab, shown: Showcase, username: str
) -> None:
    shown.sign_in(tab.page, username)
    # Signing out ends the crawl early: its form posts, so the crawler never sends it.
    found = crawl(tab, [shown.url_of(username) + "/console"])
    assert len(found) > 1, "the console links to no page"
    bad = {url: issues for url, issues in found.items() if issues}
    assert not bad, "\n".join(f"{url}:\n  " + "\n  ".join(i) for url, i in bad.items())
