"""``ipfed screen``: batch screening of CSV files, with no node.

Only typer, rich and the engine are imported here, so the command runs where only
``ipfed[detect]`` is installed; ``ipfed`` loads it without the node.
"""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn


def screen(
    rights: Annotated[Path, typer.Option(help="marks.csv, patents.csv, licenses.csv")],
    listings: Annotated[Path, typer.Option(help="CSV: listing_id,title,nice_class,seller")],
    out: Annotated[Path, typer.Option("--out", help="CSV of leads to write")],
) -> None:
    """Screen listings against rights: one output row per lead."""
    from ipfed.detection.batch import count_rows, screen_files  # the language data

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True, soft_wrap=True),
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
    Console(soft_wrap=True).print(
        f"screened {screened:,} listings: {leads:,} leads written to {out}"
    )
