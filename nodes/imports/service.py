"""Streaming, all-or-nothing import of a file into one of the basic databases.

Rows are validated one at a time and written in batches inside a savepoint;
memory holds one batch, not the file. If any row is rejected (and partial
imports were not asked for) or anything fails, the savepoint is rolled back:
a file is imported whole or not at all.
"""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.imports.kinds import ImportKind
from ipfed.nodes.imports.readers import RecordReader, detect_format
from ipfed.nodes.imports.schemas import ImportReport, Rejection

MAX_REPORTED = 1000


class _Report:
    """Collects rejections, keeping the first ``MAX_REPORTED`` of them."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report

    def reject(self, line: int, field: str | None, code: str, reason: str) -> None:
        self.report.rows_rejected += 1
        if len(self.report.rejections) < MAX_REPORTED:
            self.report.rejections.append(
                Rejection(line=line, field=field, code=code, reason=reason)
            )

    def stored(self, lines: list[int], errors: list[ItemError]) -> None:
        for error in errors:
            self.reject(lines[error.index], error.field, error.code, error.reason)
        self.report.rows_imported += len(lines) - len(errors)


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

    with path.open("rb") as raw, db.begin_nested() as savepoint:
        reader = RecordReader(raw, fmt or detect_format(path), known, encoding)

        def write(lines: list[int], items: list[Any]) -> None:
            collect.stored(lines, kind.add(db, items))
            if on_progress:
                on_progress(reader.position)

        lines: list[int] = []
        items: list[Any] = []
        written: dict[str, str] = {}
        for record in reader:
            report.rows_read += 1
            if record.problem:
                collect.reject(record.line, None, *record.problem)
                continue
            try:
                items.append(kind.row_model.model_validate(record.fields))
                lines.append(record.line)
            except ValidationError as exc:
                written = written or kind.as_written(reader.columns)
                for error in exc.errors(include_url=False):
                    loc = [str(part) for part in error["loc"]]
                    field = ".".join([written.get(loc[0], loc[0]), *loc[1:]]) if loc else None
                    reason = error["msg"].removeprefix("Value error, ")
                    code = getattr(error.get("ctx", {}).get("error"), "code", None)
                    collect.reject(record.line, field, code or error["type"], reason)
            if len(items) >= batch_size:
                write(lines, items)
                lines, items = [], []
        write(lines, items)
        report.ignored_columns = [c for c in reader.columns if c not in known]
        if report.rows_rejected and not accept_partial:
            savepoint.rollback()
            report.rows_imported = 0
        else:
            report.committed = True
    report.seconds = time.perf_counter() - started
    return report
