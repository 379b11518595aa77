"""The detection commands of ``ipfed`` that need a node: evidence, review, tasks.

(``ipfed screen`` needs none: it is ``ipfed.detection.cli``.)"""

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from ipfed.nodes.cli_support import DataDir, err, load, node_db, node_sessions, out, progress_bar
from ipfed.nodes.detection.models import Decision
from ipfed.nodes.errors import InvalidInput

evidence_app = typer.Typer(help="Evidence bundles of leads.", no_args_is_help=True)


@evidence_app.command("verify")
def verify(
    bundle_file: Annotated[Path, typer.Argument(metavar="BUNDLE")],
    trust: Annotated[
        Path,
        typer.Option(envvar="IPFED_TRUST_BUNDLE", help="the federation's trust bundle"),
    ] = Path("trust-bundle.json"),
) -> None:
    """Exit 0 if the evidence verifies offline, 1 if it does not, 2 if unreadable."""
    from ipfed.ledger.errors import LedgerError
    from ipfed.ledger.trust import TrustBundle
    from ipfed.nodes.detection.evidence import EvidenceBundle, EvidenceError

    try:
        trust_bundle = TrustBundle.from_json(trust.read_bytes())
        bundle = EvidenceBundle.parse(bundle_file.read_bytes())
    except (OSError, LedgerError, EvidenceError) as exc:
        err.print(f"[red]unreadable[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    try:
        signer, snapshot = bundle.verify(trust_bundle)
    except EvidenceError as exc:
        out.print(f"[red]does not verify[/red] {escape(f'[{exc.code}]')} {escape(exc.message)}")
        raise typer.Exit(1) from None
    listing = snapshot.get("listing", {})
    out.print(
        f"verifies: evidence {bundle.sha256[:16]}… of listing "
        f"{escape(str(listing.get('title', '')))} captured {snapshot.get('captured_at')}, "
        f"anchored by {escape(signer.name)} at log entry {bundle.receipt.position}, "
        f"{len(bundle.images)} images"
    )


@evidence_app.command("export")
def export(
    lead_id: str,
    out_file: Annotated[Path, typer.Option("--out", help="the bundle file to write")],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Write a lead's evidence bundle, with a receipt from the node's ledger."""
    from ipfed.nodes.detection.evidence import export_bundle
    from ipfed.nodes.detection.service import get_lead
    from ipfed.nodes.ledger.node import node_ledger

    settings = load(data_dir)
    with node_db(settings) as db:
        lead = get_lead(db=db, lead_id=lead_id)
        bundle = export_bundle(ledger=node_ledger(db=db, settings=settings), evidence=lead.evidence)
    out_file.write_text(bundle.model_dump_json(indent=2), encoding="utf-8")
    out.print(f"evidence of lead {lead_id} written to {out_file}")


review_app = typer.Typer(help="The review queue of suspected leads.", no_args_is_help=True)


@review_app.command("queue")
def queue(
    data_dir: DataDir = Path("ipfed-data"),
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
) -> None:
    """Leads waiting for review, highest priority first."""
    from ipfed.nodes.detection.service import review_queue

    settings = load(data_dir)
    table = Table("priority", "kind", "status", "listing")
    table.add_column("right", no_wrap=True)
    table.add_column("lead", no_wrap=True)
    with node_db(settings) as db:
        for lead in review_queue(db=db, limit=limit):
            table.add_row(
                f"{lead.priority:.2f}",
                lead.kind,
                lead.status,
                escape(lead.listing.title),
                lead.right_ref,
                lead.id,
            )
    out.print(table)


@review_app.command("decide")
def decide(
    lead_id: str,
    decision: Annotated[Decision, typer.Option()],
    reason: Annotated[str, typer.Option(help="why, for the record")],
    reviewer: Annotated[str, typer.Option(help="who decides")] = "",
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Confirm, reject or ask for more information about a lead."""
    from ipfed.nodes.detection.service import review_lead
    from ipfed.nodes.ledger.node import node_ledger

    settings = load(data_dir)
    with node_db(settings) as db:
        lead = review_lead(
            db=db,
            lead_id=lead_id,
            reviewer=reviewer or settings.org_name,
            decision=decision,
            reason=reason,
            ledger=node_ledger(db=db, settings=settings),
        )
        status = lead.status
    out.print(f"lead {lead_id} is now {status}")


@review_app.command("stats")
def stats(
    data_dir: DataDir = Path("ipfed-data"),
    chart: Annotated[Path | None, typer.Option(help="write a PNG chart here")] = None,
) -> None:
    """Per detector: confirmed, rejected and open leads, and precision."""
    from ipfed.nodes.detection.reports import precision_chart
    from ipfed.nodes.detection.service import precision

    settings = load(data_dir)
    with node_db(settings) as db:
        figures = precision(db=db)
    table = Table("detector", "confirmed", "rejected", "open", "precision")
    for f in figures:
        shown = "" if f.precision is None else f"{f.precision:.1%}"
        table.add_row(f.kind, str(f.confirmed), str(f.rejected), str(f.open), shown)
    out.print(table)
    if chart is not None:
        precision_chart(figures, chart)
        out.print(f"chart written to {chart}")


detect_app = typer.Typer(help="Detection tasks, the stream, monitoring.", no_args_is_help=True)


def _run_task(settings: Any, task_id: str, total: int | None = None) -> Any:
    from ipfed.nodes.detection.images import Images
    from ipfed.nodes.detection.tasks import run_task

    with progress_bar() as progress:
        bar = progress.add_task("screening", total=total)
        return run_task(
            sessions=node_sessions(settings),
            task_id=task_id,
            settings=settings,
            images=Images(settings.data_dir / "images"),
            on_batch=lambda t: progress.update(bar, completed=t.screened, total=t.total),
        )


@detect_app.command("run")
def run_command(
    data_dir: DataDir = Path("ipfed-data"),
    right: Annotated[list[str] | None, typer.Option(help="a right number (repeatable)")] = None,
    nice_class: Annotated[list[int] | None, typer.Option(help="a Nice class (repeatable)")] = None,
    source: Annotated[list[str] | None, typer.Option(help="a platform (repeatable)")] = None,
    region: Annotated[str | None, typer.Option(help="sellers tracing to this region")] = None,
) -> None:
    """Launch a detection task as this node's office and run it."""
    from ipfed.nodes.auth.models import Role
    from ipfed.nodes.detection.schemas import TaskScope
    from ipfed.nodes.detection.tasks import create_task

    settings = load(data_dir)
    try:
        scope = TaskScope(
            rights=right or [],
            nice_classes=nice_class or [],
            sources=source or [],
            region=region,
        )
    except ValidationError as exc:
        raise InvalidInput(str(exc).splitlines()[-1].strip(), code="invalid_scope") from None
    with node_db(settings) as db:
        task = create_task(
            db=db, org=settings.org_name, role=Role(settings.role.value), scope=scope
        )
    done = _run_task(settings, task.id)
    out.print(f"task {done.id}: {done.screened:,} listings screened, {done.leads:,} leads")


@detect_app.command("stream")
def stream(
    data_dir: DataDir = Path("ipfed-data"),
    once: Annotated[bool, typer.Option(help="screen what is new, then stop")] = False,
    interval: Annotated[float, typer.Option(min=0.1, help="seconds between looks")] = 5.0,
) -> None:
    """Screen listings as they arrive, from where the stream last stopped (Ctrl-C stops)."""
    from ipfed.nodes.detection.tasks import stream_task

    settings = load(data_dir)
    while True:
        with node_db(settings) as db:
            task_id = stream_task(db=db, org=settings.org_name).id
        done = _run_task(settings, task_id)
        out.print(f"stream: {done.screened:,} listings screened, {done.leads:,} leads so far")
        if once:
            return
        time.sleep(interval)


@detect_app.command("monitor")
def monitor(
    data_dir: DataDir = Path("ipfed-data"),
    chart: Annotated[Path | None, typer.Option(help="write a PNG chart here")] = None,
) -> None:
    """Recompute the monitoring directories from cases and confirmed leads."""
    from ipfed.nodes.detection.monitoring import chart as draw
    from ipfed.nodes.detection.monitoring import refresh
    from ipfed.nodes.detection.service import monitoring_entries

    settings = load(data_dir)
    with node_db(settings) as db:
        counts = refresh(db=db)
        table = Table("directory", "subject", "weight", "detail")
        for entry in monitoring_entries(db=db):
            detail = ", ".join(f"{k}={v}" for k, v in entry.detail.items())
            table.add_row(
                entry.directory,
                escape(entry.subject),
                f"{entry.weight:.2f}",
                escape(detail[:70]),
            )
        if chart is not None:
            draw(db=db, path=chart)
    out.print(table)
    out.print(", ".join(f"{name}: {count}" for name, count in counts.items()))
