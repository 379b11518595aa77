"""Candidate retrieval: which registered names a listing could be imitating, without
comparing it with every name.

Chinese names are indexed by their (simplified) characters, as whole names and as
every variant with one character deleted or masked. A masked variant keeps the
hidden character and its sound, so a listing that differs in one character
meets it only if that character looks or sounds like the hidden one. One
substitution, insertion, deletion or swap thus costs one exact lookup per window
of the listing, and names that merely sound alike as a whole, which abound in a
national register, do not meet. Latin names are indexed by their skeleton, its
one-deletion variants (SymSpell) and its Metaphone code; so is the pinyin
spelling of each Chinese name.

Keys are 64-bit polynomial hashes kept in sorted numpy arrays: a register of
millions of names costs a few hundred megabytes, and windows are looked up with
one ``searchsorted`` per table.
"""

from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ipfed.detection.glyphs import look_alikes
from ipfed.detection.text import (
    HanChar,
    fold,
    is_han,
    latin_part,
    simplified,
    skeleton,
    sounds,
    sounds_like,
    spelled_in_pinyin,
)

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
Keep = Callable[[I64], npt.NDArray[np.bool_]]
BASE = np.uint64(1_000_003)
MASK = np.uint64(1 << 40)  # stands for a hidden character
MAX_HAN = 12  # longer Chinese names are matched on their first MAX_HAN characters
MAX_LATIN_WORDS = 3
MIN_DELETION_LENGTH = 4  # shorter Latin names match only whole, or by sound


@dataclass(frozen=True, slots=True)
class Element:
    """One part of a registered name: its Chinese or its Latin words."""

    name: int  # position of the name in the register
    script: str  # "han", "latin" or "pinyin" (a Chinese name spelled in Latin letters)
    text: str


@dataclass(frozen=True, slots=True)
class Hit:
    """A window of a listing that may imitate an element."""

    element: int
    start: int  # first character (han) or word (latin) of the window
    length: int


class KeyTable:
    """Sorted (key, element, detail) triples: which elements carry a key."""

    def __init__(self, keys: U64, elements: I64, details: I64) -> None:
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        self.elements = elements[order]
        self.details = details[order]
        # each distinct key once, with where its triples start: one search per query
        self.unique, self.offsets = np.unique(keys, return_index=True)
        self.offsets = np.append(self.offsets, len(keys)).astype(np.int64)

    def lookup(self, queries: U64) -> tuple[I64, I64, I64]:
        """(query index, element, detail) of every stored triple whose key is queried."""
        empty = np.zeros(0, np.int64)
        if not len(self.unique) or not len(queries):
            return empty, empty, empty
        order = np.argsort(queries)  # sorted queries search far faster
        found = np.searchsorted(self.unique, queries[order]).clip(0, len(self.unique) - 1)
        hit = self.unique[found] == queries[order]
        query, found = order[hit], found[hit]
        low, high = self.offsets[found], self.offsets[found + 1]
        counts = high - low
        total = int(counts.sum())
        if total == 0:
            return empty, empty, empty
        rows = np.repeat(low - np.cumsum(counts) + counts, counts) + np.arange(total)
        return np.repeat(query, counts), self.elements[rows], self.details[rows]

    @property
    def nbytes(self) -> int:
        arrays = (self.unique, self.offsets, self.elements, self.details)
        return int(sum(a.nbytes for a in arrays))


@dataclass
class _Keys:
    """Triples being collected for one table."""

    keys: list[U64] = field(default_factory=list)
    elements: list[I64] = field(default_factory=list)
    details: list[I64] = field(default_factory=list)

    def add(self, keys: U64, elements: I64, details: I64 | int = -1) -> None:
        self.keys.append(keys.astype(np.uint64))
        self.elements.append(elements.astype(np.int64))
        detail = np.full(len(keys), details) if isinstance(details, int) else details
        self.details.append(detail.astype(np.int64))

    def table(self) -> KeyTable:
        if not self.keys:
            empty = np.zeros(0, np.int64)
            return KeyTable(empty.astype(np.uint64), empty, empty)
        return KeyTable(
            np.concatenate(self.keys), np.concatenate(self.elements), np.concatenate(self.details)
        )


class Sounds:
    """Small integer ids for character sounds (0 is never used)."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._by_char: dict[str, tuple[int, int]] = {}

    def of(self, char: str) -> tuple[int, int]:
        """Ids of the main reading and of a second one (the main again if there is none)."""
        found = self._by_char.get(char)
        if found is None:
            readings = sounds(char)
            ids = [self._ids.setdefault(r, len(self._ids) + 1) for r in readings[:2]]
            found = (ids[0], ids[-1])
            self._by_char[char] = found
        return found


def _powers(n: int) -> U64:
    powers = [1]
    for _ in range(n):
        powers.append(powers[-1] * int(BASE) % (1 << 64))
    return np.array(powers, np.uint64)


POWERS = _powers(MAX_HAN + 2)


def _row_hashes(rows: U64) -> U64:
    """Polynomial hash of each row of a 2-D array of sound ids."""
    total = np.zeros(rows.shape[0], np.uint64)
    for column in range(rows.shape[1]):
        total = total * BASE + rows[:, column]
    return total


def _latin_key(text: str, kind: str) -> int:
    return hash((kind, text)) & 0xFFFF_FFFF_FFFF_FFFF


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class NameIndex:
    """The register's names, split into elements and indexed for look-alike retrieval."""

    def __init__(self, names: Iterable[str]) -> None:
        self.sounds = Sounds()
        self.elements: list[Element] = []
        for position, name in enumerate(names):
            self.elements.extend(_elements(position, name))
        self._build_han()
        self._build_latin()
        pairs = [(ord(a) << 21) | ord(b) for a, b in look_alikes().pairs()]
        self._look_alike_pairs = np.unique(np.array(pairs, np.int64))

    # --- building -------------------------------------------------------------

    def _build_han(self) -> None:
        by_length: dict[int, list[int]] = {}
        for element_id, element in enumerate(self.elements):
            if element.script == "han" and len(element.text) >= 2:
                by_length.setdefault(min(len(element.text), MAX_HAN), []).append(element_id)
        full, deleted, masked = _Keys(), _Keys(), _Keys()
        for length, ids in by_length.items():
            ids_array = np.array(ids, np.int64)
            texts = [self.elements[i].text[:length] for i in ids]
            codes = np.array([[ord(c) for c in t] for t in texts], np.int64)
            both = np.array([[self.sounds.of(c) for c in t] for t in texts], np.int64)
            main, second = both[:, :, 0], both[:, :, 1]
            rows = codes.astype(np.uint64)
            full.add(_row_hashes(rows), ids_array)
            for i in range(length):
                if length >= 3:
                    deleted.add(_row_hashes(np.delete(rows, i, axis=1)), ids_array, i)
                with_mask = rows.copy()
                with_mask[:, i] = MASK
                key = _row_hashes(with_mask)
                masked.add(key, ids_array, codes[:, i] << 16 | main[:, i])
                other = second[:, i] != main[:, i]  # a character read two ways
                masked.add(key[other], ids_array[other], codes[other, i] << 16 | second[other, i])
        self.max_han = max(by_length, default=0)
        self._full, self._deleted, self._masked = full.table(), deleted.table(), masked.table()

    def _build_latin(self) -> None:
        whole, deleted, sound_keys = _Pairs(), _Pairs(), _Pairs()
        for element_id, element in enumerate(self.elements):
            if element.script == "han":
                continue
            word = skeleton(element.text)
            whole.add(_latin_key(word, "w"), element_id)
            if element.script == "pinyin":
                continue  # a Chinese name spelled out is matched whole
            if len(word) >= MIN_DELETION_LENGTH:
                for variant in _deletions(word):
                    deleted.add(_latin_key(variant, "w"), element_id)
            code = sounds_like(element.text)
            if len(code) >= 3:
                sound_keys.add(_latin_key(code, "s"), element_id)
        self._latin_whole = whole.table()
        self._latin_deleted = deleted.table()
        self._latin_sounds = sound_keys.table()

    @property
    def nbytes(self) -> int:
        tables = (
            self._full,
            self._deleted,
            self._masked,
            self._latin_whole,
            self._latin_deleted,
            self._latin_sounds,
        )
        return sum(t.nbytes for t in tables)

    # --- retrieval ------------------------------------------------------------

    def han_hits(self, chars: Sequence[HanChar], keep: Keep | None = None) -> set[Hit]:
        """Windows of a listing's Chinese characters that may imitate indexed elements
        (of those ``keep`` admits: it maps element ids to a mask)."""
        n = len(chars)
        if n < 2 or self.max_han == 0:
            return set()
        simple = np.array([ord(c.simple) for c in chars], np.int64)
        written = np.array([ord(c.written) for c in chars], np.int64)
        both = np.array([self.sounds.of(c.simple) for c in chars], np.int64)
        main, second = both[:, 0], both[:, 1]
        prefix = np.zeros(n + 1, np.uint64)
        for i in range(n):
            prefix[i + 1 : i + 2] = prefix[i : i + 1] * BASE + simple[i : i + 1].astype(np.uint64)
        sizes = range(2, min(n, self.max_han + 1) + 1)
        lengths = np.concatenate([np.full(n - k + 1, k) for k in sizes])
        starts = np.concatenate([np.arange(n - k + 1) for k in sizes])
        # A window lies in one run of characters, or is made of whole runs
        # (a mark spaced out, 心 相 印), never of the ends of two words.
        run = np.array([c.run for c in chars], np.int64)
        first = np.r_[True, run[1:] != run[:-1]]
        last = np.r_[run[1:] != run[:-1], True]
        ends = starts + lengths - 1
        natural = (run[starts] == run[ends]) | (first[starts] & last[ends])
        starts, lengths = starts[natural], lengths[natural]

        def span(a: I64, b: I64) -> U64:
            return prefix[b] - prefix[a] * POWERS[b - a]  # type: ignore[no-any-return]

        found: list[tuple[I64, I64, I64]] = []  # (elements, starts, lengths)

        def collect(table: KeyTable, keys: U64, s: I64, k: I64) -> None:
            query, elements, _ = table.lookup(keys)
            found.append((elements, s[query], k[query]))

        whole = span(starts, starts + lengths)
        # each position of each window hidden (masked) or left out (deleted)
        s, k = np.repeat(starts, lengths), np.repeat(lengths, lengths)
        i = np.arange(len(s)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        before, after = span(s, s + i), span(s + i + 1, s + k)
        tail = POWERS[k - i - 1]
        longer = k >= 3
        # the whole window: the name, or the name less a character the listing left out;
        # the window less a character: the listing added one, swapped two, or replaced one
        queries = np.concatenate([whole, (before * tail + after)[longer]])
        query_starts = np.concatenate([starts, s[longer]])
        query_lengths = np.concatenate([lengths, k[longer]])
        for table in (self._full, self._deleted):
            collect(table, queries, query_starts, query_lengths)
        query, elements, hidden = self._masked.lookup((before * BASE + MASK) * tail + after)
        if len(query):
            at = s[query] + i[query]
            code, sound_id = hidden >> 16, hidden & 0xFFFF
            alike = (
                (main[at] == sound_id)
                | (second[at] == sound_id)
                | self._look_alike((written[at] << 21) | code)
                | self._look_alike((simple[at] << 21) | code)
            )
            found.append((elements[alike], s[query][alike], k[query][alike]))
        hit_elements = np.concatenate([f[0] for f in found])
        hit_starts = np.concatenate([f[1] for f in found])
        hit_lengths = np.concatenate([f[2] for f in found])
        if keep is not None and len(hit_elements):
            kept = keep(hit_elements)
            hit_elements, hit_starts, hit_lengths = (
                hit_elements[kept],
                hit_starts[kept],
                hit_lengths[kept],
            )
        return {
            Hit(int(e), int(a), int(b))
            for e, a, b in zip(hit_elements, hit_starts, hit_lengths, strict=True)
        }

    def _look_alike(self, pairs: I64) -> npt.NDArray[np.bool_]:
        table = self._look_alike_pairs
        found = np.searchsorted(table, pairs).clip(0, len(table) - 1)
        return table[found] == pairs  # type: ignore[no-any-return]

    def latin_hits(self, raw_words: Sequence[str]) -> set[Hit]:
        """Runs of up to three Latin words that may imitate indexed elements."""
        words = [skeleton(w) for w in raw_words]
        windows = [
            (start, count, "".join(words[start : start + count]))
            for start in range(len(words))
            for count in range(1, min(MAX_LATIN_WORDS, len(words) - start) + 1)
        ]
        keys: list[int] = []
        owners: list[int] = []
        for w, (_, _, text) in enumerate(windows):
            variants = {text} | (_deletions(text) if len(text) >= MIN_DELETION_LENGTH else set())
            keys += [_latin_key(v, "w") for v in variants]
            owners += [w] * len(variants)
        hits: set[Hit] = set()
        if not keys:
            return hits
        query_keys = np.array(keys, np.uint64)
        for table in (self._latin_whole, self._latin_deleted):
            query, elements, _ = table.lookup(query_keys)
            for q, e in zip(query, elements, strict=True):
                start, count, _ = windows[owners[q]]
                hits.add(Hit(int(e), start, count))
        return hits

    def latin_sound_hits(self, raw_words: Sequence[str]) -> set[Hit]:
        """Single words whose Metaphone code is an indexed element's."""
        codes = [(w, sounds_like(word)) for w, word in enumerate(raw_words)]
        codes = [(w, c) for w, c in codes if len(c) >= 3]
        if not codes:
            return set()
        query, elements, _ = self._latin_sounds.lookup(
            np.array([_latin_key(c, "s") for _, c in codes], np.uint64)
        )
        return {Hit(int(e), codes[q][0], 1) for q, e in zip(query, elements, strict=True)}


class _Pairs:
    """(key, element) pairs collected compactly: millions of them during a build."""

    def __init__(self) -> None:
        self.keys = array("Q")
        self.elements = array("q")

    def add(self, key: int, element: int) -> None:
        self.keys.append(key)
        self.elements.append(element)

    def table(self) -> KeyTable:
        keys = np.frombuffer(self.keys, np.uint64).copy()
        elements = np.frombuffer(self.elements, np.int64).copy()
        return KeyTable(keys, elements, np.full(len(keys), -1, np.int64))


def _elements(position: int, name: str) -> list[Element]:
    """``可口可乐 Coca-Cola`` -> the Chinese 可口可乐, the Latin Coca-Cola, and kekoukele."""
    found = []
    folded = fold(name)
    han = "".join(simplified(c) for c in folded if is_han(c))
    if han:
        found.append(Element(position, "han", han))
        if len(han) >= 2:
            found.append(Element(position, "pinyin", spelled_in_pinyin(han)))
    if any(c.isascii() and c.isalnum() for c in folded):
        latin = latin_part(name)
        if skeleton(latin):
            found.append(Element(position, "latin", latin))
    return found
