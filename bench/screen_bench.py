"""Screening at national scale: a generated register of 1,000,000 marks (and of
100,000, to show how cost grows) and 100,000 generated listings, a fifth of them
copycats of a registered mark (look-alike or sound-alike characters, traditional
forms, Latin homoglyphs and misspellings) and the rest ordinary titles.

Prints, for each register size: index build time, listings screened per second
(in one process and in one worker per core, sharing the index), peak memory,
and the share of planted copycats found. The last line is a JSON object of all
figures.

    python bench/screen_bench.py [--marks 1000000 100000] [--listings 100000]
"""

import argparse
import gc
import json
import multiprocessing
import os
import random
import resource
import time
from datetime import date

from ipfed.detection.glyphs import look_alikes
from ipfed.detection.register import MarkRecord, Register, ScreenedListing
from ipfed.detection.screening import Screener
from ipfed.detection.text import readings, simplified

COPY_SHARE = 0.2
LATIN_SHARE = 0.25
PRODUCT_WORDS = [
    "新款",
    "正品",
    "包邮",
    "特价",
    "官方",
    "旗舰",
    "礼盒",
    "家用",
    "便携",
    "男士",
    "女士",
    "儿童",
    "经典",
    "原味",
    "升级版",
    "套装",
    "手机壳",
    "充电器",
    "耳机",
    "运动鞋",
    "牛仔裤",
    "洗发水",
    "牙膏",
    "纯牛奶",
    "方便面",
    "饼干",
    "坚果",
    "茶叶",
    "咖啡",
    "汽水",
    "果汁",
    "白酒",
    "红酒",
    "调和油",
    "洗衣液",
    "纸巾",
    "背包",
    "手表",
    "台灯",
    "风扇",
    "剪刀",
    "玩具",
    "图书",
]
LATIN_PARTS = [
    "ka",
    "lo",
    "mi",
    "ra",
    "ne",
    "to",
    "su",
    "vi",
    "de",
    "ba",
    "ro",
    "la",
    "zen",
    "tor",
    "vex",
    "mar",
    "lin",
    "qua",
    "dor",
    "pix",
    "nov",
]


def hanzi() -> list[str]:
    """The 3,755 first-level GB2312 characters, the commonest in names."""
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def make_register(count: int, rng: random.Random) -> list[MarkRecord]:
    chars = hanzi()
    marks = []
    for i in range(count):
        name = "".join(rng.choices(chars, k=rng.choice((2, 2, 3, 3, 3, 4, 4, 5))))
        if rng.random() < LATIN_SHARE:
            latin = "".join(rng.choices(LATIN_PARTS, k=rng.choice((2, 3)))).upper()
            name = f"{name} {latin}"
        classes = frozenset(rng.sample(range(1, 46), rng.choice((1, 1, 2, 3))))
        marks.append(MarkRecord(f"M{i}", name, classes, f"holder {i}"))
    return marks


def copycat(mark: MarkRecord, rng: random.Random) -> str:
    """The mark's Chinese name with one character swapped for a look-alike, a
    homophone or its traditional form, or its Latin name with a homoglyph."""
    han, _, latin = mark.name.partition(" ")
    if latin and rng.random() < 0.4:
        i = rng.randrange(len(latin))
        swap = {"O": "0", "I": "l", "L": "1"}.get(latin[i], latin[i].lower())
        return latin[:i] + swap + latin[i + 1 :]
    i = rng.randrange(len(han))
    glyphs = look_alikes()
    trick = rng.random()
    if trick < 0.5:
        near = [c for c, s in glyphs.neighbours(han[i]).items() if s >= 0.8]
        if near:
            return han[:i] + rng.choice(near) + han[i + 1 :]
    if trick < 0.8:
        for char in _homophones(han[i]):
            return han[:i] + char + han[i + 1 :]
    return "".join(_traditional(c) for c in han)


_BY_READING: dict[str, list[str]] = {}


def _homophones(char: str) -> list[str]:
    if not _BY_READING:
        for c in hanzi():
            for reading in readings(c):
                _BY_READING.setdefault(reading, []).append(c)
    return [c for r in sorted(readings(char)) for c in _BY_READING.get(r, []) if c != char][:3]


_TRADITIONAL: dict[str, str] = {}


def _traditional(char: str) -> str:
    if not _TRADITIONAL:
        for code in range(0x4E00, 0x9FA6):
            t = chr(code)
            s = simplified(t)
            if s != t:
                _TRADITIONAL.setdefault(s, t)
    return _TRADITIONAL.get(char, char)


def make_listings(
    marks: list[MarkRecord], count: int, rng: random.Random
) -> tuple[list[ScreenedListing], dict[str, str]]:
    chars = hanzi()
    listings, planted = [], {}
    for i in range(count):
        words = rng.sample(PRODUCT_WORDS, 3)
        if rng.random() < COPY_SHARE:
            mark = rng.choice(marks)
            words.insert(0, copycat(mark, rng))
            nice_class = rng.choice(sorted(mark.classes))
            planted[f"L{i}"] = mark.right_id
        else:
            words.insert(0, "".join(rng.choices(chars, k=rng.choice((2, 3, 4)))))
            nice_class = rng.randint(1, 45)
        listings.append(ScreenedListing(f"L{i}", " ".join(words), f"shop {i % 5000}", nice_class))
    return listings, planted


_SCREENER: Screener | None = None


def _screen_chunk(chunk: list[ScreenedListing]) -> list[tuple[str, list[str]]]:
    assert _SCREENER is not None
    return [(item.listing_id, [f.right_id for f in _SCREENER.screen(item)]) for item in chunk]


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def run(mark_count: int, listing_count: int, seed: int) -> dict[str, float]:
    global _SCREENER
    rng = random.Random(seed)
    marks = make_register(mark_count, rng)
    listings, planted = make_listings(marks, listing_count, rng)
    start = time.perf_counter()
    _SCREENER = Screener(Register(marks=marks), today=date.today())
    build = time.perf_counter() - start
    # The index's millions of objects never become garbage: keep the collector (and,
    # after fork, copy-on-write) off them, as a long-running screening process would.
    gc.collect()
    gc.freeze()
    index_mb = _SCREENER.trademarks.index.nbytes / 2**20

    sample = listings[: min(len(listings), 10_000)]
    start = time.perf_counter()
    _screen_chunk(sample)
    one_process = len(sample) / (time.perf_counter() - start)

    workers = os.cpu_count() or 1
    chunks = [listings[i : i + 1000] for i in range(0, len(listings), 1000)]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = [r for part in pool.imap(_screen_chunk, chunks) for r in part]
    all_workers = len(listings) / (time.perf_counter() - start)

    found = dict(results)
    caught = sum(mark in found[listing] for listing, mark in planted.items())
    flagged_clean = sum(
        bool(found[item.listing_id]) for item in listings if item.listing_id not in planted
    )
    figures = {
        "marks": mark_count,
        "listings": listing_count,
        "index_build_s": round(build, 1),
        "index_arrays_mb": round(index_mb, 1),
        "listings_per_s_one_process": round(one_process),
        "listings_per_s": round(all_workers),
        "workers": workers,
        "peak_memory_mb": round(peak_mb()),
        "worker_peak_memory_mb": round(peak_mb(resource.RUSAGE_CHILDREN)),
        "planted_copies_found_share": round(caught / max(1, len(planted)), 3),
        "clean_listings_flagged_share": round(
            flagged_clean / max(1, listing_count - len(planted)), 4
        ),
    }
    _SCREENER = None
    gc.unfreeze()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marks", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    summary: dict[str, float] = {}
    for count in args.marks:
        figures = run(count, args.listings, args.seed)
        for name, value in figures.items():
            print(f"{count:>9,} marks  {name:<32} {value}")
        suffix = f"_{count // 1000}k_marks"
        summary.update(
            {f"{k}{suffix}": v for k, v in figures.items() if k not in ("marks", "listings")}
        )
    summary["listings"] = args.listings
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
