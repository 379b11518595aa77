"""Streaming readers: one record at a time, with its line number and the bytes read so far."""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ipfed.nodes.errors import InvalidInput

FORMATS = ("csv", "jsonl")


@dataclass(frozen=True, slots=True)
class Record:
    line: int
    fields: dict[str, Any]


class UnreadableFile(InvalidInput):
    code = "unreadable_file"


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix in ("csv", "txt"):
        return "csv"
    raise UnreadableFile(f"cannot tell the format of {path.name}: use .csv or .jsonl, or --format")


class RecordReader:
    """Iterates the records of a CSV or JSONL file; ``position`` is the bytes consumed."""

    def __init__(self, raw: BinaryIO, fmt: str, encoding: str = "utf-8-sig") -> None:
        if fmt not in FORMATS:
            raise UnreadableFile(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        self._raw = raw
        self._text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        self._fmt = fmt
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
            for values in reader:
                if not values:
                    continue  # blank line
                if len(values) != width:
                    yield Record(reader.line_num, {"__width__": (len(values), width)})
                    continue
                yield Record(reader.line_num, dict(zip(self.columns, values, strict=True)))
        except csv.Error as exc:
            raise UnreadableFile(f"line {reader.line_num}: malformed CSV ({exc})") from None

    def _jsonl(self) -> Iterator[Record]:
        seen: dict[str, None] = {}
        for number, line in enumerate(self._text, start=1):
            if not line.strip():
                continue
            try:
                fields = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Record(number, {"__json__": exc.msg})
                continue
            if not isinstance(fields, dict):
                yield Record(number, {"__json__": "a line must hold one JSON object"})
                continue
            for key in fields:
                if key not in seen:
                    seen[key] = None
                    self.columns.append(key)
            yield Record(number, fields)
