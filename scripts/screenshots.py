"""Screenshots of each page at desktop and phone size (see scripts/screenshots)."""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "helpers"))

from browser import SIZES, Tab, chromium_path, launched, opened, problems
from showcase import PEOPLE, Showcase, showcase

PER_PERSON = 24  # pages of each person's console: its menu, and a record of each list
# Pages a list links to beside its first record, shot as well.
MORE = ("/console/national/report",)


def pages(shown: Showcase) -> dict[str, str]:
    """Name -> address of each page worth looking at."""
    return {
        "verify-valid": shown.page(shown.valid),
        "verify-unit": shown.page(shown.unit),
        "verify-clone": shown.page(shown.cloned),
        "verify-suspended": shown.page(shown.suspended),
        "verify-revoked": shown.page(shown.revoked),
        "verify-unknown": shown.page("not-a-mark"),
        "sign-in": shown.url + "/console/sign-in",
        "docs": shown.url + "/docs",
        # Last: the choice of language is remembered for the pages after it.
        "verify-valid-en": shown.page(shown.valid) + "?lang=en",
    }


def main(folder: Path) -> int:
    executable = chromium_path()
    if executable is None:
        print("Debian's chromium is not installed (apt-get install chromium)")
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as scratch,
        showcase(Path(scratch)) as shown,
        launched(executable) as browser,
    ):
        for size in SIZES:
            with opened(browser, size) as tab:
                for name, url in pages(shown).items():
                    shoot(tab, url, folder / f"{name}-{size}.png", ours=name != "docs")
            for username in PEOPLE:
                with opened(browser, size) as tab:
                    shown.sign_in(tab.page, username)
                    home = shown.url_of(username)
                    for url in console_pages(tab, home):
                        name = url.removeprefix(home + "/").replace("/", "-")
                        shoot(tab, url, folder / f"{username}-{name}-{size}.png")
    return 0


def shoot(tab: Tab, url: str, path: Path, *, ours: bool = True) -> None:
    tab.page.goto(url, wait_until="networkidle")
    tab.page.screenshot(path=path, full_page=True)
    print(path, *(f"\n  {problem}" for problem in problems(tab, ours=ours)))


def console_pages(tab: Tab, node: str) -> list[str]:
    """The signed-in person's console home, the pages its menu leads to, and the first
    record each of those lists (no downloads; the query string of a filter is dropped)."""

    def links(url: str) -> list[str]:
        tab.page.goto(url, wait_until="networkidle")
        hrefs = tab.page.eval_on_selector_all(
            "main a[href]:not([download]), nav a[href]", "a => a.map(l => l.href)"
        )
        return [h.split("?")[0] for h in hrefs if h.startswith(node + "/console")]

    home = node + "/console"
    found = [home]
    menu = [u for u in dict.fromkeys(links(home)) if u not in found]
    found += menu
    for url in menu:
        reached = [u for u in dict.fromkeys(links(url)) if u not in found]
        found += reached[:1] + [u for u in reached[1:] if u.removeprefix(node) in MORE]
    return found[:PER_PERSON]


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")))
