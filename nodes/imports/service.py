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

from ipfed.nodes.imports.kinds import ImportKind
from ipfed.nodes.imports.readers import Record, RecordReader, detect_format
from ipfed.nodes.imports.schemas import ImportReport, Rejection

MAX_REPORTED = 1000


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
    known = kind.columns()
    started = time.perf_counter()

    def reject(line: int, field: str | None, code: str, reason: str) -> None:
        report.rows_rejected += 1
        if len(report.rejections) < MAX_REPORTED:
            report.rejections.append(Rejection(line=line, field=field, code=code, reason=reason))

    with path.open("rb") as raw, db.begin_nested() as savepoint:
        reader = RecordReader(raw, fmt or detect_format(path), encoding)
        batch: list[tuple[int, Any]] = []

        def flush() -> None:
            errors = kind.add(db, [item for _, item in batch])
            for error in errors:
                reject(batch[error.index][0], error.field, error.code, error.reason)
            report.rows_imported += len(batch) - len(errors)
            batch.clear()
            if on_progress:
                on_progress(reader.position)

        for record in reader:
            report.rows_read += 1
            item = _validate(kind, record, known, reject)
            if item is not None:
                batch.append((record.line, item))
            if len(batch) >= batch_size:
                flush()
        flush()
        report.ignored_columns = [c for c in reader.columns if c not in known]
        if report.rows_rejected and not accept_partial:
            savepoint.rollback()
            report.rows_imported = 0
        else:
            report.committed = True
    report.seconds = time.perf_counter() - started
    return report


def _validate(
    kind: ImportKind,
    record: Record,
    known: set[str],
    reject: Callable[[int, str | None, str, str], None],
) -> Any:
    fields = record.fields
    if "__width__" in fields:
        got, want = fields["__width__"]
        reject(record.line, None, "wrong_field_count", f"{got} fields, the header has {want}")
        return None
    if "__json__" in fields:
        reject(record.line, None, "invalid_json", str(fields["__json__"]))
        return None
    try:
        return kind.row_model.model_validate({k: v for k, v in fields.items() if k in known})
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            field = ".".join(str(part) for part in error["loc"]) or None
            reason = error["msg"].removeprefix("Value error, ")
            code = getattr(error.get("ctx", {}).get("error"), "code", None) or error["type"]
            reject(record.line, field, code, reason)
        return None
