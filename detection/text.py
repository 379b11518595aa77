"""Names as a shopper reads them: the forms copycats play with, folded away.

- full-width and other compatibility forms -> their plain form (NFKC);
- traditional and variant Chinese characters -> simplified (OpenCC ``t2s``);
- Latin letters written with look-alikes from other scripts (Cyrillic ``о``,
  Greek ``Ο``) -> Latin (Unicode TR39 confusables), and within ASCII the
  TR39 look-alikes ``0``/``O``, ``1``/``l``/``I``, ``rn``/``m`` -> one skeleton;
- Chinese characters -> their toneless pinyin, with the sounds that speakers
  of many dialects do not tell apart (``zh``/``z``, ``-ng``/``-n``) merged.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import jellyfish
import jieba
from confusable_homoglyphs import confusables
from opencc import OpenCC


@cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def _pinyin(char: str, heteronym: bool) -> list[str]:
    """Toneless readings of a character (pypinyin is loaded on first use)."""
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.NORMAL, heteronym=heteronym, errors="ignore")
    return list(found[0]) if found else []


_LATIN_WORD = re.compile(r"[0-9A-Za-z|]+(?:['’.\-&][0-9A-Za-z|]+)*")


def is_han(char: str) -> bool:
    """A Chinese character, or kana (copycats write カ for 力)."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x3040 <= code <= 0x30FF
        or 0x20000 <= code <= 0x2FA1F
    )


@lru_cache(maxsize=65536)
def simplified(char: str) -> str:
    converted = _t2s().convert(char)
    return converted if len(converted) == 1 else char


@lru_cache(maxsize=4096)
def _latin_lookalike(char: str) -> str:
    """A letter with an accent, or from another script but drawn like a Latin one ->
    that Latin letter (é -> e, Cyrillic р -> p)."""
    base = unicodedata.normalize("NFKD", char)[0]
    if base.isascii() and base.isalpha():
        return base
    found = confusables.is_confusable(char, preferred_aliases=["latin"], greedy=True)
    for entry in found or ():
        for glyph in entry["homoglyphs"]:
            if glyph["c"].isascii() and glyph["c"].isalnum():
                return str(glyph["c"])
    return char


def fold(text: str) -> str:
    """NFKC, and every letter that only looks Latin written as Latin (one for one)."""
    return _as_latin(unicodedata.normalize("NFKC", text))


def _as_latin(text: str) -> str:
    if text.isascii():
        return text
    return "".join(
        c if c.isascii() or is_han(c) or not c.isalpha() else _latin_lookalike(c) for c in text
    )


# --- Chinese ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HanChar:
    """A character as written, its simplified form, and which run of Chinese
    characters (split by anything else) it stands in."""

    written: str
    simple: str
    run: int = 0


def han_chars(text: str) -> list[HanChar]:
    """The Chinese characters of ``text`` in order, each with its run."""
    chars, run, previous = [], 0, False
    for char in fold(text):
        current = is_han(char)
        if current:
            chars.append(HanChar(char, simplified(char), run))
        elif previous:
            run += 1
        previous = current
    return chars


def han_runs(text: str) -> list[str]:
    """Runs of Chinese characters (simplified), split wherever anything else stands."""
    runs, current = [], []
    for char in fold(text):
        if is_han(char):
            current.append(simplified(char))
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


@cache
def readings(char: str) -> frozenset[str]:
    """Every toneless pinyin reading of a character (empty if it has none)."""
    return frozenset(_pinyin(char, heteronym=True))


_FUZZY = ((re.compile(r"^([zcs])h"), r"\1"), (re.compile(r"([aei])ng$"), r"\1n"))


@cache
def sounds(char: str) -> tuple[str, ...]:
    """The character's readings, main one first, with dialect-merged sounds; a character
    without a reading sounds like itself."""
    found = _pinyin(char, heteronym=True)
    if not found:
        return (char,)
    merged = []
    for syllable in found:
        for pattern, replacement in _FUZZY:
            syllable = pattern.sub(replacement, syllable)
        if syllable not in merged:
            merged.append(syllable)
    return tuple(merged)


COMMON_WORD_COUNT = 5  # times a word was seen in jieba's corpus to count as ordinary language


@cache
def common_words() -> frozenset[str]:
    """Ordinary Chinese words (jieba's dictionary). Copycat names are rarely words
    (立日, 康帅傅, 白像), while a listing's own words (家用, 运动) often resemble some
    registered name in a register of millions."""
    words = set()
    with jieba.get_dict_file() as file:
        for line in file:
            word, count, *_ = line.decode("utf-8").split()
            if int(count) >= COMMON_WORD_COUNT:
                words.add(word)
    return frozenset(words)


def spelled_in_pinyin(text: str) -> str:
    """``可口可乐`` -> ``kekoukele``: how a listing may write a Chinese mark in Latin letters."""
    return "".join(sorted(readings(c))[0] if readings(c) else c for c in text)


# --- Latin ------------------------------------------------------------------


def skeleton(word: str) -> str:
    """One spelling for every way of drawing a Latin word: case, separators and the
    TR39 look-alikes in ASCII (``OPP0``, ``PEPSl``, ``LEVI'S`` and ``levis`` agree).

    Lower-case ``i`` joins ``l`` because a capital ``I`` is drawn like ``l``."""
    text = fold(word).lower().translate(_SKELETON)
    return "".join(c for c in text if c.isascii() and c.isalnum()).replace("rn", "m")


_SKELETON = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l"})


def latin_words(text: str) -> list[str]:
    """Latin words and numbers as written (``LEVl'S``, ``Coca-Cola``, ``Оррo``); letters
    spaced out one by one (``N I K E``) are one word."""
    written = unicodedata.normalize("NFKC", text)
    folded = _as_latin(written)
    words: list[str] = []
    previous_single, previous_end = False, 0
    for match in _LATIN_WORD.finditer(folded):
        word = written[match.start() : match.end()]
        single = len(word) == 1 and word.isalpha()
        gap = folded[previous_end : match.start()]
        if single and previous_single and not any(c.isalnum() for c in gap):
            words[-1] += word
        else:
            words.append(word)
        previous_single, previous_end = single, match.end()
    return words


def latin_part(name: str) -> str:
    """The Latin words of a name (``可口可乐 Coca-Cola`` -> ``Coca-Cola``)."""
    return " ".join(latin_words(name))


def sounds_like(word: str) -> str:
    """The Metaphone code of a Latin word (``DARLY`` and ``DARLIE`` share ``TRL``)."""
    letters = "".join(c for c in fold(word).lower() if "a" <= c <= "z")
    return jellyfish.metaphone(letters) if letters else ""


def compact(text: str) -> str:
    """Case, width, spacing and punctuation dropped, look-alike letters written as Latin
    (``【ＷＡＲ·ＲＩＯＲ】`` -> ``warrior``)."""
    return "".join(c for c in fold(text).casefold() if c.isalnum())


def party_key(name: str) -> str:
    """How a seller, holder or licensee is compared: case, width and spacing ignored."""
    return compact(name)
