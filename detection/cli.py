"""``ipfed screen``: batch screening of CSV files, with no node.

Only typer, rich and the engine are imported here, so the command runs where only
``ipfed[detect]`` is installed; the node's CLI registers it as it is.
"""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from ipfed.detection.errors import DetectionError


def screen(
    rights: Annotated[Path, typer.Option(help="marks.csv, patents.csv, licenses.csv")],
    listings: Annotated[Path, typer.Option(help="CSV: listing_id,title,nice_class,seller")],
    out: Annotated[Path, typer.Option("--out", help="CSV of leads to write")],
) -> None:
    """Screen listings against rights: one output row per lead."""
    from ipfed.detection.batch import count_rows, screen_files  # the language data

    err = Console(stderr=True, soft_wrap=True)
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
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
    except DetectionError as exc:
        err.print(f"[red]error[/red] {escape(f'[{exc.code}]')} {escape(exc.message)}")
        raise typer.Exit(2) from None
    Console(soft_wrap=True).print(
        f"screened {screened:,} listings: {leads:,} leads written to {out}"
    )
