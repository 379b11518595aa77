"""``ipfed import``: a CSV or JSONL file into the node's database."""

from pathlib import Path
from typing import Annotated

import typer

from ipfed.nodes.cli_support import (
    DataDir,
    err,
    load,
    node_sessions,
    out,
    progress_bar,
    show_rejections,
)
from ipfed.nodes.imports.kinds import KINDS
from ipfed.nodes.imports.schemas import ImportReport


def import_command(
    kind: Annotated[str, typer.Argument(help=f"one of: {', '.join(KINDS)}")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    data_dir: DataDir = Path("ipfed-data"),
    fmt: Annotated[str | None, typer.Option("--format", help="csv or jsonl")] = None,
    encoding: Annotated[str, typer.Option(help="e.g. gb18030")] = "utf-8-sig",
    partial: Annotated[
        bool, typer.Option(help="store the valid rows even when others are rejected")
    ] = False,
) -> None:
    """Import a CSV or JSONL file: every row is validated; by default all or nothing."""
    from ipfed.nodes.database.core import transaction
    from ipfed.nodes.imports.kinds import import_kind
    from ipfed.nodes.imports.service import import_file

    import_as = import_kind(kind)
    settings = load(data_dir)
    sessions = node_sessions(settings)
    with progress_bar(in_bytes=True) as progress, transaction(sessions) as db:
        task = progress.add_task(f"importing {import_as.name}", total=file.stat().st_size)
        report = import_file(
            db=db,
            kind=import_as,
            path=file,
            fmt=fmt,
            encoding=encoding,
            accept_partial=partial,
            on_progress=lambda done: progress.update(task, completed=done),
        )
    show_report(report)
    if not report.committed:
        raise typer.Exit(1)


def show_report(report: ImportReport) -> None:
    if report.rejections:
        show_rejections(report.rejections)
        if report.rows_rejected > len(report.rejections):
            err.print(f"… and {report.rows_rejected - len(report.rejections)} more")
    if report.ignored_columns:
        err.print(f"ignored columns: {', '.join(report.ignored_columns)}")
    if report.committed:
        out.print(
            f"imported {report.rows_imported:,} of {report.rows_read:,} {report.kind} rows "
            f"in {report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s)"
        )
    else:
        err.print(
            f"[red]nothing imported[/red]: {report.rows_rejected:,} of {report.rows_read:,} "
            "rows rejected (fix them, or pass --partial to store the valid rows)"
        )
