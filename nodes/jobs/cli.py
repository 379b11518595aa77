"""``ipfed jobs``: the node's stored jobs, and dead letters queued again."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ipfed.nodes.cli_support import DataDir, load, node_db, out
from ipfed.nodes.jobs.models import JobState

app = typer.Typer(help="Work the node runs on its own, and what failed.", no_args_is_help=True)


@app.command("list")
def list_jobs(
    state: Annotated[JobState | None, typer.Option(help="only jobs in this state")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """The newest jobs first, with their attempts and last error."""
    from ipfed.nodes.jobs import service

    with node_db(load(data_dir)) as db:
        jobs = service.jobs(db=db, state=state, limit=limit)
    table = Table("kind", "state", "attempts", "run at", "last error")
    table.add_column("id", no_wrap=True, min_width=26)  # whole, to be given to retry
    for job in jobs:
        table.add_row(
            job.kind,
            job.state,
            f"{job.attempts}/{job.max_attempts}",
            f"{job.run_at:%Y-%m-%d %H:%M:%S}",
            escape(job.last_error or ""),
            job.id,
        )
    out.print(table)


@app.command("retry")
def retry(job_id: str, data_dir: DataDir = Path("ipfed-data")) -> None:
    """Queue a dead or failed job again; the running node takes it within a second."""
    from ipfed.nodes.jobs import service

    with node_db(load(data_dir)) as db:
        job = service.retry(db=db, job_id=job_id)
    out.print(f"job {job.id} ({job.kind}) queued again")
