"""Which characters look alike: a table built from rendered glyphs.

``scripts/glyph_table.py`` draws every GBK character with a CJK font and
compares the directions of its strokes with every GB2312 character's; for each
character it keeps the closest look-alikes (立白 -> 立日, 康师傅 -> 康帅傅).
Similarity is the cosine of the two stroke-direction histograms (0 to 1).
"""

import gzip
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from types import MappingProxyType


class LookAlikes:
    def __init__(self, table: Mapping[str, Mapping[str, float]]) -> None:
        self._table = table
        both: dict[str, dict[str, float]] = {c: dict(row) for c, row in table.items()}
        for char, row in table.items():
            for other, similarity in row.items():
                both.setdefault(other, {}).setdefault(char, similarity)
        self._both = both

    def similarity(self, a: str, b: str) -> float:
        """How alike ``a`` and ``b`` look: 1 if equal, 0 if neither is among the other's closest."""
        if a == b:
            return 1.0
        return self._both.get(a, {}).get(b, 0.0)

    def pairs(self) -> list[tuple[str, str]]:
        """Every (character, look-alike) pair, both ways round."""
        return [(a, b) for a, row in self._both.items() for b in row]

    def neighbours(self, char: str) -> Mapping[str, float]:
        """The characters that look like ``char``, in either direction of the table."""
        return MappingProxyType(self._both.get(char, {}))


@cache
def look_alikes() -> LookAlikes:
    data = files("ipfed.detection").joinpath("data/glyphs.tsv.gz").read_bytes()
    table: dict[str, dict[str, float]] = {}
    for line in gzip.decompress(data).decode("utf-8").splitlines():
        char, _, row = line.partition("\t")
        table[char] = {entry[0]: int(entry[1:]) / 100 for entry in row.split()}
    return LookAlikes(table)
