"""Which characters of a listing pass for a registered name, for a reviewer's eyes.

A listing's text is split into stretches: the characters written as in the name,
the look-alikes (a Cyrillic ``о`` for ``o``, ``0`` for ``O``, a traditional form, a
character that looks or sounds like the name's: 帅 for 师), and the rest. Only a word
or a run of Chinese characters that shares at least two characters with the name
counts, so a stray ``0`` in a model number is not marked. The comparisons are the
detectors' own (``text.fold``, ``text.skeleton``, ``similarity.char_similarity``).
"""

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby

from ipfed.detection.similarity import char_similarity
from ipfed.detection.text import HanChar, fold, is_han, simplified, skeleton

# A Chinese character counts as passing for one of the name's from here (a
# near-homophone or a close glyph: see ``similarity``).
PASSES_FOR = 0.7
AT_LEAST = 2  # characters a word shares with the name before any is marked


class Match(StrEnum):
    SAME = "same"  # written as in the registered name
    LOOK_ALIKE = "look_alike"  # another character that passes for one of the name's
    OTHER = "other"


@dataclass(frozen=True)
class Stretch:
    text: str
    match: Match


def _kind(char: str) -> str:
    if is_han(char):
        return "han"
    return "latin" if unicodedata.normalize("NFKC", char).isalnum() else "other"


def _han_match(char: str, name: str) -> Match:
    written = HanChar(char, simplified(char))
    if char in name:
        return Match.SAME
    best = max((char_similarity(written, c).score for c in name if is_han(c)), default=0.0)
    return Match.LOOK_ALIKE if best >= PASSES_FOR else Match.OTHER


def _latin_match(char: str, name: str) -> Match:
    if char.casefold() in name.casefold():
        return Match.SAME
    plain = skeleton(char) or fold(char).casefold()
    return Match.LOOK_ALIKE if plain and plain in skeleton(name) else Match.OTHER


def highlight(text: str, name: str) -> list[Stretch]:
    """``text`` as stretches, each the same, a look-alike, or other than ``name``."""
    marked: list[tuple[str, Match]] = []
    for kind, word in groupby(text, key=_kind):
        chars = list(word)
        if kind == "other" or not any(fold(c).isalpha() for c in chars):  # 2020 is no OPPO
            marked += [(c, Match.OTHER) for c in chars]
            continue
        judge = _han_match if kind == "han" else _latin_match
        matches = [judge(c, name) for c in chars]
        if sum(m is not Match.OTHER for m in matches) < AT_LEAST:
            matches = [Match.OTHER] * len(chars)
        marked += zip(chars, matches, strict=True)
    return [
        Stretch("".join(c for c, _ in group), match)
        for match, group in groupby(marked, key=lambda pair: pair[1])
    ]
