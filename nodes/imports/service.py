"""Streaming, all-or-nothing import of a file into one of the basic databases.

Rows are read, validated and turned into columns a batch at a time (for large
files in a worker process, while this one stores the batch before) and
stored inside a savepoint; memory holds a few batches, not the file. If any
row is rejected (and partial imports were not asked for) or anything fails,
the savepoint is rolled back: a file is imported whole or not at all.
"""

import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.imports.kinds import ImportKind
from ipfed.nodes.imports.prepare import FileOptions, PreparedBatch
from ipfed.nodes.imports.schemas import ImportReport, Rejection
from ipfed.nodes.imports.worker import prepared_batches

MAX_REPORTED = 1000


class _Report:
    """Counts rejections, keeping the first ``MAX_REPORTED`` of them in line order."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.rejected = 0

    def stored(self, batch: PreparedBatch, errors: list[ItemError]) -> None:
        """What became of a batch: its rejected rows, and those the store refused."""
        rejections = batch.rejections + [
            Rejection(line=batch.lines[e.index], field=e.field, code=e.code, reason=e.reason)
            for e in errors
        ]
        rejections.sort(key=lambda r: r.line)  # stable: a row's errors keep their order
        room = max(MAX_REPORTED - len(self.report.rejections), 0)
        self.report.rejections += rejections[:room]
        self.rejected += len(rejections)
        self.report.rows_read += batch.rows_read
        self.report.rows_imported += len(batch.lines) - len(errors)


def import_file(
    *,
    db: Session,
    kind: ImportKind,
    path: Path,
    fmt: str | None = None,
    encoding: str = "utf-8-sig",
    accept_partial: bool = False,
    batch_size: int = 5000,
    in_worker: bool | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``path`` as rows of ``kind``. ``in_worker`` prepares the rows in
    another process (by default, for files large enough to gain from it)."""
    report = ImportReport(kind=kind.name, file=str(path))
    collect = _Report(report)
    started = time.perf_counter()
    options = FileOptions(path, fmt, encoding, batch_size)
    with (
        db.begin_nested() as savepoint,
        prepared_batches(kind, options, in_worker=in_worker) as batches,
    ):
        for batch in batches:
            errors = kind.store(db=db, columns=batch.columns) if batch.lines else []
            collect.stored(batch, errors)
            if on_progress:
                on_progress(batch.position)
        report.rows_rejected = collect.rejected
        known = kind.columns()
        report.ignored_columns = [c for c in batches.columns if c not in known]
        if report.rows_rejected and not accept_partial:
            savepoint.rollback()
            report.rows_imported = 0
        else:
            report.committed = True
    report.seconds = time.perf_counter() - started
    return report
