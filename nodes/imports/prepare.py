"""Reading, validating and turning a file's rows into columns, a batch at a time.

This is the part of an import that needs no database, so it can run in
another process (see ``worker``) while the node stores the previous batch.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ipfed.nodes.database.bulk import Columns
from ipfed.nodes.imports.kinds import ImportKind
from ipfed.nodes.imports.readers import Record, RecordReader, detect_format
from ipfed.nodes.imports.schemas import Rejection


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    rows_read: int
    lines: list[int]  # of the rows in columns
    columns: Columns  # the valid rows, as the kind's store takes them
    rejections: list[Rejection]  # rows that could not be read or validated
    position: int  # bytes of the file read so far


@dataclass(frozen=True, slots=True)
class FileOptions:
    path: Path
    fmt: str | None = None
    encoding: str = "utf-8-sig"
    batch_size: int = 5000


class PreparedFile:
    """The batches of a file, prepared here; ``columns`` names every column the
    file had once they are all read."""

    def __init__(self, kind: ImportKind, options: FileOptions) -> None:
        self._kind = kind
        self._options = options
        self.columns: list[str] = []

    def __iter__(self) -> Iterator[PreparedBatch]:
        options = self._options
        with options.path.open("rb") as raw:
            reader = RecordReader(
                raw,
                options.fmt or detect_format(options.path),
                self._kind.columns(),
                options.encoding,
            )
            validator = _Validator(self._kind, reader)
            for records in reader.batches(options.batch_size):
                lines, columns, rejections = validator.validate(records)
                yield PreparedBatch(len(records), lines, columns, rejections, reader.position)
            self.columns = reader.columns


class _Validator:
    """Validates a batch of records with one call into pydantic; when some rows
    fail, reports each of their errors and validates the others again."""

    def __init__(self, kind: ImportKind, reader: RecordReader) -> None:
        self._kind = kind
        self._reader = reader
        self._written: dict[str, str] = {}

    def validate(self, records: list[Record]) -> tuple[list[int], Columns, list[Rejection]]:
        rejections = [
            Rejection(line=r.line, field=None, code=r.problem[0], reason=r.problem[1])
            for r in records
            if r.problem
        ]
        rows = [r for r in records if not r.problem] if rejections else records
        try:
            items = self._kind.batch_model.validate_python([r.fields for r in rows])
        except ValidationError as exc:
            failed: set[int] = set()
            for error in exc.errors(include_url=False):
                index, *loc = error["loc"]
                failed.add(int(index))
                rejections.append(self._rejection(rows[int(index)].line, loc, error))
            rows = [row for index, row in enumerate(rows) if index not in failed]
            items = self._kind.batch_model.validate_python([r.fields for r in rows])
        return [r.line for r in rows], self._kind.to_columns(items), rejections

    def _rejection(self, line: int, loc: list[int | str], error: ErrorDetails) -> Rejection:
        """The error with its field named as this file's header names it."""
        self._written = self._written or self._kind.as_written(self._reader.columns)
        parts = [str(part) for part in loc]
        field = ".".join([self._written.get(parts[0], parts[0]), *parts[1:]]) if parts else None
        reason = error["msg"].removeprefix("Value error, ")
        code = getattr(error.get("ctx", {}).get("error"), "code", None)
        return Rejection(line=line, field=field, code=code or error["type"], reason=reason)
