"""The detection commands of ``ipfed``: batch screening, evidence, review, tasks."""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn


def add_detection_commands(app: typer.Typer) -> None:
    """Register the commands on the ``ipfed`` app (its helpers are defined by then)."""
    from ipfed.nodes import cli

    @app.command("screen")
    @cli.reports_errors
    def screen(
        rights: Annotated[Path, typer.Option(help="marks.csv, patents.csv, licenses.csv")],
        listings: Annotated[Path, typer.Option(help="CSV: listing_id,title,nice_class,seller")],
        out: Annotated[Path, typer.Option("--out", help="CSV of leads to write")],
    ) -> None:
        """Screen listings against rights: one output row per lead."""
        from ipfed.nodes.detection.batch import count_rows, screen_files

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=cli.err,
            transient=True,
        ) as progress:
            task = progress.add_task("screening", total=count_rows(listings) or None)
            screened, leads = screen_files(
                rights=rights,
                listings=listings,
                out=out,
                today=date.today(),
                on_listing=lambda: progress.advance(task),
            )
        cli.out.print(f"screened {screened:,} listings: {leads:,} leads written to {out}")
