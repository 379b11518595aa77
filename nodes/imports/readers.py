"""Streaming readers: one record at a time, with its line number and the bytes read so far."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from ipfed.nodes.errors import InvalidInput

FORMATS = ("csv", "jsonl")


class UnreadableFile(InvalidInput):
    code = "unreadable_file"


class Record(NamedTuple):
    """The fields of one row that the import kind knows, blanks left out.

    ``problem`` is set instead when the row cannot be split into fields.
    """

    line: int
    fields: dict[str, Any]
    problem: tuple[str, str] | None = None  # (code, reason)


# Text databases (PostgreSQL) cannot store NUL; no real register value holds one.
NUL_PROBLEM = ("nul_character", "the row contains a NUL character")


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix in ("csv", "txt"):
        return "csv"
    raise UnreadableFile(f"cannot tell the format of {path.name}: use .csv or .jsonl, or --format")


class RecordReader:
    """Iterates the records of a CSV or JSONL file, keeping only the ``known`` columns.

    ``position`` is the number of bytes consumed; ``columns`` lists every
    column seen, so that the caller can report those it ignored.
    """

    def __init__(
        self, raw: BinaryIO, fmt: str, known: set[str], encoding: str = "utf-8-sig"
    ) -> None:
        if fmt not in FORMATS:
            raise UnreadableFile(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        self._raw = raw
        self._text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        self._fmt = fmt
        self._known = known
        self.columns: list[str] = []

    @property
    def position(self) -> int:
        return self._raw.tell()

    def __iter__(self) -> Iterator[Record]:
        try:
            yield from self._csv() if self._fmt == "csv" else self._jsonl()
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"the file is not {self._text.encoding} text ({exc.reason}); pass --encoding"
            ) from None

    def _csv(self) -> Iterator[Record]:
        reader = csv.reader(self._text, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise UnreadableFile("the file is empty: a CSV file starts with a header row")
            self.columns = [name.strip() for name in header]
            width = len(self.columns)
            wanted = [(i, name) for i, name in enumerate(self.columns) if name in self._known]
            for values in reader:
                if not values:
                    continue  # blank line
                if len(values) != width:
                    reason = f"{len(values)} fields, the header has {width}"
                    yield Record(reader.line_num, {}, ("wrong_field_count", reason))
                    continue
                fields = {name: values[i] for i, name in wanted if values[i]}
                if "\x00" in "".join(fields.values()):
                    yield Record(reader.line_num, {}, NUL_PROBLEM)
                    continue
                yield Record(reader.line_num, fields)
        except csv.Error as exc:
            raise UnreadableFile(f"line {reader.line_num}: malformed CSV ({exc})") from None

    def _jsonl(self) -> Iterator[Record]:
        for number, line in enumerate(self._text, start=1):
            if not line.strip():
                continue
            try:
                fields = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Record(number, {}, ("invalid_json", exc.msg))
                continue
            if not isinstance(fields, dict):
                yield Record(number, {}, ("invalid_json", "a line must hold one JSON object"))
                continue
            self.columns += [key for key in fields if key not in self.columns]
            fields = {k: v for k, v in fields.items() if k in self._known and v not in ("", None)}
            if any(isinstance(v, str) and "\x00" in v for v in fields.values()):
                yield Record(number, {}, NUL_PROBLEM)
                continue
            yield Record(number, fields)
