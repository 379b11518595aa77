"""Look-alike screening of names: an exhibit's name against the registered trademarks of
its Nice class, and a flagged exhibit against online listing titles.

Exhibit names go through the detection engine's trademark detector; the look-alike
stretches here add what a name shares with a mark inside a longer text, and serve
post-exhibition tracking.
"""

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from rapidfuzz import fuzz
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ipfed.detection.register import ScreenedListing
from ipfed.detection.trademarks import TrademarkDetector
from ipfed.nodes.detection.current import current_screener
from ipfed.nodes.licences.models import Licence, LicenceKind
from ipfed.nodes.rights.models import RightStatus, Trademark

# Shorter elements must appear whole: one changed character in 大白兔 makes 大白菜.
FUZZY_FROM = 4
# Indel similarity of the best-matching stretch: one changed character in four.
LOOK_ALIKE = 75.0
_SCRIPT_RUNS = re.compile(r"[a-z0-9]+|[^a-z0-9]+")


def normalize(text: str) -> str:
    """Full-width to half-width, case folded, spacing and punctuation dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def elements(name: str) -> list[str]:
    """The distinctive parts of a mark's name: its Chinese and its Latin part each
    (回力 WARRIOR -> 回力, warrior), so either one alone is recognised."""
    runs = _SCRIPT_RUNS.findall(normalize(name))
    return [run for run in runs if len(run) >= (3 if run.isascii() else 2)]


def find(element: str, text: str) -> tuple[float, str] | None:
    """(similarity, the stretch of ``text`` that looks like ``element``), or None.

    Both arguments are normalized. Short elements must occur as they are; longer
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


class LookAlikes:
    """Normalized texts, indexed by their adjacent character pairs.

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
        """The stored texts that ``text`` (normalized) contains a look-alike of:
        {position: (similarity, the stretch of ``text``)}."""
        sharing = {n for pair in _pairs(text) for n in self._by_pair.get(pair, ())}
        return {n: hit for n in sharing if (hit := find(self.texts[n], text)) is not None}


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


@dataclass(frozen=True)
class Resemblance:
    """A registered trademark that a screened name looks like."""

    right_id: str
    number: str
    name: str
    holder: str
    nice_class: int
    text: str  # the part of the screened name that looks like the trademark
    score: float  # 0-100
    reasons: tuple[str, ...] = ()  # the detection engine's, when it found the resemblance


@dataclass(frozen=True)
class _Candidate:
    right_id: str
    number: str
    name: str
    holder: str
    holder_key: str  # normalized, to recognise the holder exhibiting its own goods
    licensees: frozenset[str]  # credit codes licensed on the day screened


@dataclass(frozen=True)
class _ClassIndex:
    """One Nice class's trademarks and their elements."""

    candidates: list[_Candidate]
    elements: LookAlikes
    owners: list[int]  # of each element, its position in ``candidates``


# name, Nice class, seller's name, seller's credit code -> what the name imitates
Screen = Callable[[str, int, str, str], list[Resemblance]]


def _class_index(db: Session, nice_class: int, on: date) -> _ClassIndex:
    in_force = (
        Trademark.nice_class_mask.op("&")(1 << nice_class) != 0,
        Trademark.status == RightStatus.GRANTED,
        or_(Trademark.expiry_date.is_(None), Trademark.expiry_date >= on),
    )
    licensees: dict[str, set[str]] = {}
    for right_id, uscc in db.execute(
        select(Licence.right_id, Licence.licensee_uscc)
        .join(Trademark, Trademark.id == Licence.right_id)
        .where(
            *in_force,
            Licence.kind == LicenceKind.LICENCE,
            or_(Licence.starts_on.is_(None), Licence.starts_on <= on),
            or_(Licence.ends_on.is_(None), Licence.ends_on >= on),
        )
    ):
        if uscc:
            licensees.setdefault(right_id, set()).add(uscc)
    index = _ClassIndex([], LookAlikes(), [])
    for right_id, number, name, holder in db.execute(
        select(Trademark.id, Trademark.number, Trademark.name, Trademark.holder).where(*in_force)
    ):
        owner = len(index.candidates)
        index.candidates.append(
            _Candidate(
                right_id,
                number,
                name,
                holder,
                normalize(holder),
                frozenset(licensees.get(right_id, ())),
            )
        )
        for element in elements(name):
            index.elements.add(element)
            index.owners.append(owner)
    return index


def trademark_screen(db: Session, on: date) -> Screen:
    """Screen names against the registered trademarks in force ``on`` that day, with the
    look-alike stretches above and the detection engine's trademark detector (look-alike
    and sound-alike characters, traditional forms, homoglyphs, misspellings).

    The holder and licensees of a trademark (by name or credit code) are not flagged for
    using it. The node's current screener is taken once per screen, on first use.
    """
    detector: TrademarkDetector | None = None
    indexes: dict[int, _ClassIndex] = {}

    def screen(name: str, nice_class: int, seller: str, seller_uscc: str) -> list[Resemblance]:
        nonlocal detector
        if detector is None:
            detector = current_screener(db).trademarks
        if nice_class not in indexes:
            indexes[nice_class] = _class_index(db, nice_class, on)
        index = indexes[nice_class]
        by_number = {c.number: c for c in index.candidates}
        text, seller_key = normalize(name), normalize(seller)
        found: dict[str, Resemblance] = {}
        best: dict[int, tuple[float, str]] = {}
        for position, hit in index.elements.within(text).items():
            owner = index.owners[position]
            best[owner] = max(hit, best.get(owner, hit))
        for owner, (score, stretch) in best.items():
            mark = index.candidates[owner]
            found[mark.number] = Resemblance(
                mark.right_id, mark.number, mark.name, mark.holder, nice_class, stretch, score
            )
        for finding in detector.detect(ScreenedListing("exhibit", name, seller, nice_class)):
            reasons = tuple(finding.reasons)
            if finding.right_id in found:
                found[finding.right_id] = replace(found[finding.right_id], reasons=reasons)
            elif (other := by_number.get(finding.right_id)) is not None:
                found[other.number] = Resemblance(
                    other.right_id, other.number, other.name, other.holder, nice_class, name,
                    round(finding.score * 100, 1), reasons,
                )  # fmt: skip
        return sorted(
            (
                r
                for r in found.values()
                if seller_key != by_number[r.number].holder_key
                and seller_uscc not in by_number[r.number].licensees
            ),
            key=lambda r: -r.score,
        )

    return screen
