"""Trademark infringement: a listing's names against registered marks in the same or
a similar Nice class, robust to look-alike, sound-alike, traditional, full-width,
spaced-out and Latin homoglyph spellings. Holders and licensees are screened out."""

from collections.abc import Sequence
from datetime import date

import numpy as np

from ipfed.detection.index import Element, Hit, Keep, NameIndex
from ipfed.detection.reasons import Reason
from ipfed.detection.register import Finding, MarkRecord, Register, ScreenedListing
from ipfed.detection.similarity import Similarity, han_similarity, latin_similarity
from ipfed.detection.text import HanChar, common_words, han_chars, latin_words
from ipfed.registry.rights import nice_class_mask

THRESHOLD = 0.8
# At least half of a Chinese name must be written as registered: two names that
# merely sound alike as a whole abound in a national register.
MIN_KEPT = 0.5
SIMILAR_CLASS, WELL_KNOWN, UNKNOWN_CLASS = 0.85, 0.9, 0.9

# Classes whose goods or services are commonly held similar across the class
# boundary (cross-class notes of China's similar goods and services table):
# staple and processed foods, drinks, toiletries and medicated ones, food and
# catering, bags and clothing.
RELATED_CLASSES = frozenset(
    frozenset(pair) for pair in ((29, 30), (30, 32), (32, 33), (3, 5), (30, 43), (29, 43), (18, 25))
)


def class_factor(mark: MarkRecord, nice_class: int | None) -> tuple[float, Reason] | None:
    """How much the class of the listing lets the mark reach it, and why; None: not at all."""
    classes = ";".join(str(c) for c in sorted(mark.classes))
    if nice_class is None:
        return UNKNOWN_CLASS, Reason.of("class_unknown", classes=classes)
    if nice_class in mark.classes:
        return 1.0, Reason.of("class_same", nice_class=nice_class)
    related = [c for c in mark.classes if frozenset((c, nice_class)) in RELATED_CLASSES]
    if related:
        return SIMILAR_CLASS, Reason.of("class_similar", nice_class=nice_class, related=related[0])
    if mark.well_known:
        return WELL_KNOWN, Reason.of("class_well_known", classes=classes)
    return None


class TrademarkDetector:
    def __init__(self, register: Register, today: date) -> None:
        self.register = register
        self.today = today
        self.marks = register.marks
        self.index = NameIndex(m.name for m in register.marks)
        common_words()  # loaded with the index, not by the first listing
        # which classes each element's mark reaches, to drop hits before comparing names
        mark_of = np.array([e.name for e in self.index.elements], np.int64)
        classes = np.array([nice_class_mask(list(m.classes)) for m in self.marks], np.int64)
        well_known = np.array([m.well_known for m in self.marks], bool)
        self._classes = classes[mark_of] if len(mark_of) else np.zeros(0, np.int64)
        self._well_known = well_known[mark_of] if len(mark_of) else np.zeros(0, bool)

    def _reaches(self, nice_class: int | None) -> Keep | None:
        if nice_class is None:
            return None
        related = [c for c in range(1, 46) if frozenset((c, nice_class)) in RELATED_CLASSES]
        bits = nice_class_mask([nice_class, *related])
        return lambda elements: ((self._classes[elements] & bits) != 0) | self._well_known[elements]

    def detect(self, listing: ScreenedListing, on: date | None = None) -> list[Finding]:
        """The marks the listing imitates, in force and not licensed to its seller ``on``
        that day (the detector's own day if not given), most certain first."""
        on = on or self.today
        chars = han_chars(listing.title)
        words = latin_words(listing.title)
        hits = (
            self.index.han_hits(chars, self._reaches(listing.nice_class))
            | self.index.latin_hits(words)
            | self.index.latin_sound_hits(words)
        )
        best: dict[int, Finding] = {}
        for hit in hits:
            element = self.index.elements[hit.element]
            mark = self.marks[element.name]
            reach = class_factor(mark, listing.nice_class)
            if (
                reach is None
                or not mark.in_force(on)
                or self.register.authorised(
                    mark.right_id, mark.holder, listing.seller, on, listing.seller_code
                )
            ):
                continue
            if element.script == "han" and _reads_as_language(chars, hit, element.text):
                continue
            written, similarity = _compare(element, hit, chars, words)
            if similarity.kept < MIN_KEPT:
                continue
            score = round(similarity.score * reach[0], 3)
            known = best.get(element.name)
            if score < THRESHOLD or (known is not None and known.score >= score):
                continue
            shown = element.text if element.script != "pinyin" else mark.name
            reasons = (
                Reason.of(
                    "resembles_mark",
                    written=written,
                    right=mark.right_id,
                    shown=shown,
                    holder=mark.holder,
                ),
                *similarity.notes,
                *((Reason.of("written_in_pinyin"),) if element.script == "pinyin" else ()),
                reach[1],
                Reason.of("seller_not_licensed"),
            )
            best[element.name] = Finding("trademark", mark.right_id, score, reasons)
        return sorted(best.values(), key=lambda f: -f.score)


def _reads_as_language(chars: Sequence[HanChar], hit: Hit, registered: str) -> bool:
    """The window is an ordinary word, or cuts through one (和油 in 调和油), rather than
    a name standing on its own; an exact copy of the registered name always counts."""
    start, end = hit.start, hit.start + hit.length
    text = "".join(c.simple for c in chars)
    if text[start:end] == registered:
        return False
    if text[start:end] in common_words():
        return True
    run = chars[start].run
    for boundary in (start, end):
        for size in (2, 3, 4):
            for first in range(boundary - size + 1, boundary):
                last = first + size
                if (
                    first < 0
                    or last > len(chars)
                    or {chars[first].run, chars[last - 1].run} != {run}
                ):
                    continue
                if text[first:last] in common_words():
                    return True
    return False


def _compare(
    element: Element, hit: Hit, chars: Sequence[HanChar], words: Sequence[str]
) -> tuple[str, Similarity]:
    if element.script == "han":
        window = list(chars[hit.start : hit.start + hit.length])
        return "".join(c.written for c in window), han_similarity(window, element.text)
    written = " ".join(words[hit.start : hit.start + hit.length])
    return written, latin_similarity(written, element.text)
