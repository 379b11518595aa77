"""Streaming readers: records a batch at a time, with line numbers and the bytes read so far."""

import csv
import io
import json
from collections.abc import Iterator
from itertools import islice
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
    """Reads the records of a CSV or JSONL file in batches, keeping only the ``known`` columns.

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

    def batches(self, size: int) -> Iterator[list[Record]]:
        """The records in lists of at most ``size``."""
        try:
            if self._fmt == "csv":
                yield from self._csv(size)
            else:
                records = self._jsonl()
                while batch := list(islice(records, size)):
                    yield batch
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"the file is not {self._text.encoding} text ({exc.reason}); pass --encoding"
            ) from None

    def _csv(self, size: int) -> Iterator[list[Record]]:
        # Each batch is built in one loop, not yielded row by row: a generator
        # hand-off per row is a fair share of the cost of reading.
        reader = csv.reader(self._text, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise UnreadableFile("the file is empty: a CSV file starts with a header row")
            self.columns = [name.strip() for name in header]
            width = len(self.columns)
            wanted = [(i, name) for i, name in enumerate(self.columns) if name in self._known]
            while True:
                started_at = reader.line_num
                batch: list[Record] = []
                for values in islice(reader, size):
                    if len(values) != width:
                        if values:  # else a blank line
                            reason = f"{len(values)} fields, the header has {width}"
                            batch.append(Record(reader.line_num, {}, ("wrong_field_count", reason)))
                        continue
                    fields = {name: values[i] for i, name in wanted if values[i]}
                    if "\x00" in "".join(fields.values()):
                        batch.append(Record(reader.line_num, {}, NUL_PROBLEM))
                    else:
                        batch.append(Record(reader.line_num, fields))
                if reader.line_num == started_at:
                    return  # the end of the file
                if batch:
                    yield batch
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
