"""Exhibit names at a trade fair against the trademarks of their Nice class.

The trademark detector reads a name as a shopper would (look-alike and sound-alike
characters, traditional forms, homoglyphs, misspellings); the look-alike stretches
here add what a name shares with a mark inside a longer text (回力 in 【回·力】运动鞋,
WARRIOR in W.A.R-R_I O R), and serve post-exhibition tracking. Both use the register's
one normalisation (``text.compact``) and its one rule of who may use a mark.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from rapidfuzz import fuzz

from ipfed.detection.register import MarkRecord, ScreenedListing
from ipfed.detection.text import compact
from ipfed.detection.trademarks import TrademarkDetector

# Shorter elements must appear whole: one changed character in 大白兔 makes 大白菜.
FUZZY_FROM = 4
# Indel similarity of the best-matching stretch: one changed character in four.
LOOK_ALIKE = 75.0
_SCRIPT_RUNS = re.compile(r"[a-z0-9]+|[^a-z0-9]+")


def elements(name: str) -> list[str]:
    """The distinctive parts of a mark's name: its Chinese and its Latin part each
    (回力 WARRIOR -> 回力, warrior), so either one alone is recognised."""
    runs = _SCRIPT_RUNS.findall(compact(name))
    return [run for run in runs if len(run) >= (3 if run.isascii() else 2)]


def find(element: str, text: str) -> tuple[float, str] | None:
    """(similarity, the stretch of ``text`` that looks like ``element``), or None.

    Both arguments are compacted. Short elements must occur as they are; longer
    ones may differ by about one character in four.
    """
    if len(element) > len(text) or not element:
        return None
    if element in text:
        return 100.0, element
    if len(element) < FUZZY_FROM:
        return None
    found = fuzz.partial_ratio_alignment(element, text, score_cutoff=LOOK_ALIKE)
    if found is None:
        return None
    return found.score, text[found.dest_start : found.dest_end]


class Stretches:
    """Compacted texts, indexed by their adjacent character pairs.

    A name is compared only with the texts it shares a pair with: a look-alike with one
    character in four replaced, added or dropped keeps a pair of what it imitates. (The
    rare matches at the threshold sharing no pair, two edits in four characters such as
    abcd and axbd, are left out.)
    """

    def __init__(self, texts: Sequence[str] = ()) -> None:
        self.texts: list[str] = []
        self._by_pair: dict[str, list[int]] = {}
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        for pair in _pairs(text):
            self._by_pair.setdefault(pair, []).append(len(self.texts))
        self.texts.append(text)

    def within(self, text: str) -> dict[int, tuple[float, str]]:
        """The stored texts that ``text`` (compacted) contains a look-alike of:
        {position: (similarity, the stretch of ``text``)}."""
        sharing = {n for pair in _pairs(text) for n in self._by_pair.get(pair, ())}
        return {n: hit for n in sharing if (hit := find(self.texts[n], text)) is not None}


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


@dataclass(frozen=True)
class Resemblance:
    """A registered trademark that an exhibit's name looks like."""

    mark: MarkRecord
    nice_class: int
    text: str  # the part of the name that looks like the trademark
    score: float  # 0-100
    reasons: tuple[str, ...] = ()  # the trademark detector's, when it found the resemblance


@dataclass(frozen=True)
class _ClassIndex:
    """One Nice class's trademarks in force, and their elements."""

    marks: list[MarkRecord]
    elements: Stretches
    owners: list[int]  # of each element, its position in ``marks``


class ExhibitScreen:
    """Screens exhibit names against the marks in force on the fair's day ``on``; the
    holder and licensees of a mark (by name or credit code) are not flagged for using it."""

    def __init__(self, detector: TrademarkDetector, on: date) -> None:
        self.detector = detector
        self.on = on
        self._classes: dict[int, _ClassIndex] = {}

    def _index(self, nice_class: int) -> _ClassIndex:
        if nice_class not in self._classes:
            index = _ClassIndex([], Stretches(), [])
            for mark in self.detector.marks:
                if nice_class in mark.classes and mark.in_force(self.on):
                    for element in elements(mark.name):
                        index.elements.add(element)
                        index.owners.append(len(index.marks))
                    index.marks.append(mark)
            self._classes[nice_class] = index
        return self._classes[nice_class]

    def screen(
        self, name: str, nice_class: int, seller: str, seller_code: str | None = None
    ) -> list[Resemblance]:
        """The trademarks ``name`` imitates, closest first."""
        index = self._index(nice_class)
        best: dict[int, tuple[float, str]] = {}
        for position, hit in index.elements.within(compact(name)).items():
            owner = index.owners[position]
            best[owner] = max(hit, best.get(owner, hit))
        found = {
            index.marks[owner].right_id: Resemblance(index.marks[owner], nice_class, text, score)
            for owner, (score, text) in best.items()
        }
        by_id = {mark.right_id: mark for mark in index.marks}
        exhibit = ScreenedListing("exhibit", name, seller, nice_class, seller_code=seller_code)
        for finding in self.detector.detect(exhibit, self.on):
            reasons = tuple(map(str, finding.reasons))  # the English sentences
            if finding.right_id in found:
                found[finding.right_id] = replace(found[finding.right_id], reasons=reasons)
            elif (mark := by_id.get(finding.right_id)) is not None:
                score = round(finding.score * 100, 1)
                found[mark.right_id] = Resemblance(mark, nice_class, name, score, reasons)
        register = self.detector.register
        return sorted(
            (
                r
                for r in found.values()
                if not register.authorised(
                    r.mark.right_id, r.mark.holder, seller, self.on, seller_code
                )
            ),
            key=lambda r: (-r.score, r.mark.right_id),  # ties in a stable order
        )
