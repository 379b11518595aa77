"""Streaming, all-or-nothing import of a file into one of the basic databases.

Rows are read and validated a batch at a time and written inside a savepoint;
memory holds two batches (one being validated, one being written), not the
file. If any row is rejected (and partial imports were not asked for) or
anything fails, the savepoint is rolled back: a file is imported whole or not
at all.
"""

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.orm import Session

from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.imports.kinds import ImportKind
from ipfed.nodes.imports.readers import Record, RecordReader, detect_format
from ipfed.nodes.imports.schemas import ImportReport, Rejection

MAX_REPORTED = 1000


@dataclass
class _Batch:
    lines: list[int]  # of the rows in items
    items: list[Any]  # validated rows
    rejections: list[Rejection]  # rows that could not be read or validated


class _Report:
    """Counts rejections, keeping the first ``MAX_REPORTED`` of them in line order."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.rejected = 0

    def stored(self, batch: _Batch, errors: list[ItemError]) -> None:
        """What became of a batch: its rejected rows, and those the writer refused."""
        rejections = batch.rejections + [
            Rejection(line=batch.lines[e.index], field=e.field, code=e.code, reason=e.reason)
            for e in errors
        ]
        rejections.sort(key=lambda r: r.line)  # stable: a row's errors keep their order
        room = max(MAX_REPORTED - len(self.report.rejections), 0)
        self.report.rejections += rejections[:room]
        self.rejected += len(rejections)
        self.report.rows_imported += len(batch.items) - len(errors)


def import_file(
    *,
    db: Session,
    kind: ImportKind,
    path: Path,
    fmt: str | None = None,
    encoding: str = "utf-8-sig",
    accept_partial: bool = False,
    batch_size: int = 5000,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport(kind=kind.name, file=str(path))
    collect = _Report(report)
    known = kind.columns()
    started = time.perf_counter()

    # One thread reads and validates the next batch while another writes the
    # last one: database work (SQLite's C code, PostgreSQL's server) runs
    # without the GIL, so the two overlap. Only the writer touches the session
    # until it is done; leaving the block waits for it.
    with (
        path.open("rb") as raw,
        db.begin_nested() as savepoint,
        ThreadPoolExecutor(1, thread_name_prefix="import-writer") as writer,
    ):
        reader = RecordReader(raw, fmt or detect_format(path), known, encoding)
        validator = _Validator(kind, reader)
        writing: tuple[_Batch, Future[list[ItemError]]] | None = None
        for records in reader.batches(batch_size):
            report.rows_read += len(records)
            batch = validator.validate(records)
            if writing:
                collect.stored(writing[0], writing[1].result())
            writing = batch, writer.submit(kind.add, db, batch.items)
            if on_progress:
                on_progress(reader.position)
        if writing:
            collect.stored(writing[0], writing[1].result())
        report.rows_rejected = collect.rejected
        report.ignored_columns = [c for c in reader.columns if c not in known]
        if report.rows_rejected and not accept_partial:
            savepoint.rollback()
            report.rows_imported = 0
        else:
            report.committed = True
    report.seconds = time.perf_counter() - started
    return report


class _Validator:
    """Validates a batch of records with one call into pydantic; when some rows
    fail, reports each of their errors and validates the others again."""

    def __init__(self, kind: ImportKind, reader: RecordReader) -> None:
        self._kind = kind
        self._reader = reader
        self._written: dict[str, str] = {}

    def validate(self, records: list[Record]) -> _Batch:
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
        return _Batch([r.line for r in rows], items, rejections)

    def _rejection(self, line: int, loc: list[int | str], error: ErrorDetails) -> Rejection:
        """The error with its field named as this file's header names it."""
        self._written = self._written or self._kind.as_written(self._reader.columns)
        parts = [str(part) for part in loc]
        field = ".".join([self._written.get(parts[0], parts[0]), *parts[1:]]) if parts else None
        reason = error["msg"].removeprefix("Value error, ")
        code = getattr(error.get("ctx", {}).get("error"), "code", None)
        return Rejection(line=line, field=field, code=code or error["type"], reason=reason)
