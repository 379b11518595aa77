"""Screenshots of each page at desktop and phone size (see scripts/screenshots)."""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "helpers"))

from browser import SIZES, chromium_path, launched, opened, problems
from showcase import Showcase, showcase


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
                    tab.page.goto(url, wait_until="networkidle")
                    path = folder / f"{name}-{size}.png"
                    tab.page.screenshot(path=path, full_page=True)
                    found = problems(tab, ours=name != "docs")
                    print(path, *(f"\n  {problem}" for problem in found))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")))
