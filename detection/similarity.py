"""How close a name in a listing is to a registered name, with the reasons why.

Chinese names are aligned character by character (a weighted Damerau-Levenshtein
alignment) where a substitution costs less the more the two characters are
alike: the same character, a traditional or variant form, a homophone, a
near-homophone, a look-alike. Latin names are compared on their skeletons
(edit distance and Jaro-Winkler), with Metaphone for spellings that sound alike.
"""

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, JaroWinkler

from ipfed.detection.glyphs import look_alikes
from ipfed.detection.reasons import Reason
from ipfed.detection.text import HanChar, readings, skeleton, sounds, sounds_like

VARIANT, HOMOPHONE, NEAR_HOMOPHONE, REPEATED = 0.97, 0.9, 0.75, 0.6
LOOK_ALIKE_CAP = 0.92
TRANSPOSITION_COST = 0.2
SOUNDS_ALIKE = 0.85


@dataclass(frozen=True, slots=True)
class Similarity:
    score: float  # 0 to 1
    notes: tuple[Reason, ...] = ()
    kept: float = 1.0  # share of the registered characters written as such or in a variant form


@lru_cache(maxsize=1 << 16)
def _note(code: str, written: str, registered: str) -> Reason:
    """A note on one pair of characters: aligning a name makes one for every pair it
    tries and keeps few, and the same pairs recur, so each is made once."""
    return Reason.of(code, written=written, registered=registered)


def char_similarity(written: HanChar, registered: str) -> Similarity:
    """How much ``written`` in a listing passes for ``registered`` in a mark."""
    if written.simple == registered:
        if written.written != registered:
            note = _note("variant_form", written.written, registered)
            return Similarity(VARIANT, (note,))
        return Similarity(1.0)
    best = Similarity(0.0)
    shared = readings(written.simple) & readings(registered)
    if shared:
        note = _note("sounds_like", written.written, registered)
        best = Similarity(HOMOPHONE, (note,))
    elif set(sounds(written.simple)) & set(sounds(registered)):
        note = _note("sounds_close", written.written, registered)
        best = Similarity(NEAR_HOMOPHONE, (note,))
    glyphs = look_alikes()
    looks = min(
        LOOK_ALIKE_CAP,
        max(
            glyphs.similarity(written.written, registered),
            glyphs.similarity(written.simple, registered),
        ),
    )
    if looks > best.score:
        note = _note("looks_like", written.written, registered)
        best = Similarity(looks, (note,))
    return best


def han_similarity(written: list[HanChar], registered: str) -> Similarity:
    """Alignment of a run of written characters with a registered Chinese name."""
    n, m = len(written), len(registered)
    if not n or not m:
        return Similarity(0.0, kept=0.0)
    pair = [[char_similarity(w, r) for r in registered] for w in written]
    if m >= 3:  # 娃哈哈 -> 娃娃哈: a character of the name written twice in place of another
        repeated = [
            Similarity(
                REPEATED,
                (_note("repeats_character", w.written, registered),),
            )
            if w.simple in registered
            else Similarity(0.0)
            for w in written
        ]
        pair = [
            [p if p.score >= REPEATED else repeated[i] for p in row] for i, row in enumerate(pair)
        ]
    # best[i][j]: (cost, notes, characters kept) aligning written[:i] with registered[:j]
    Path = tuple[float, tuple[Reason, ...], int]
    best: list[list[Path]] = [[(0.0, (), 0)] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        best[i][0] = (float(i), (), 0)
    for j in range(1, m + 1):
        best[0][j] = (float(j), (), 0)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            match = pair[i - 1][j - 1]
            cost, notes, kept = best[i - 1][j - 1]
            options: list[Path] = [
                (cost + 1 - match.score, notes + match.notes, kept + (match.score >= VARIANT)),
                (best[i - 1][j][0] + 1, best[i - 1][j][1], best[i - 1][j][2]),
                (best[i][j - 1][0] + 1, best[i][j - 1][1], best[i][j - 1][2]),
            ]
            if i > 1 and j > 1:
                crossed = (pair[i - 1][j - 2], pair[i - 2][j - 1])
                if min(c.score for c in crossed) > 0:
                    cost, notes, kept = best[i - 2][j - 2]
                    swapped = Reason.of(
                        "swapped", written=f"{written[i - 2].written}{written[i - 1].written}"
                    )
                    options.append(
                        (
                            cost + 1 - min(c.score for c in crossed) + TRANSPOSITION_COST,
                            (*notes, swapped),
                            kept + sum(c.score >= VARIANT for c in crossed),
                        )
                    )
            best[i][j] = min(options, key=lambda option: option[0])
    cost, notes, kept = best[n][m]
    return Similarity(max(0.0, 1 - cost / max(n, m)), notes, kept / m)


def latin_similarity(written: str, registered: str) -> Similarity:
    """Two Latin names, each given as its words joined (e.g. ``louisvuiton``)."""
    a, b = skeleton(written), skeleton(registered)
    if not a or not b:
        return Similarity(0.0)
    if a == b:
        same = written.casefold() == registered.casefold()
        drawn = Reason.of("drawn_like", written=written, registered=registered)
        return Similarity(1.0, () if same else (drawn,))
    score = (OSA.normalized_similarity(a, b) + JaroWinkler.similarity(a, b)) / 2
    notes = (Reason.of("spelled_like", written=written, registered=registered),)
    code = sounds_like(written)
    if len(code) >= 3 and code == sounds_like(registered) and score < SOUNDS_ALIKE:
        note = Reason.of("sounds_like", written=written, registered=registered)
        return Similarity(SOUNDS_ALIKE, (note,))
    return Similarity(score, notes)
