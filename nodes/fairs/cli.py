"""``ipfed fairs``: register a fair and check its exhibits, report, and track them online."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ipfed.nodes.cli_support import DataDir, err, load, node_db, out, progress_bar, show_rejections

if TYPE_CHECKING:
    from ipfed.nodes.fairs.schemas import CheckReport

app = typer.Typer(
    help="Trade fairs: exhibitors and their marked exhibits, checked.", no_args_is_help=True
)


@app.command("register")
def fairs_register(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="one exhibit a row: exhibitor, uscc, booth, exhibit, description, "
            "nice_class or locarno_class, mark (CSV, JSON Lines or a JSON array)",
        ),
    ],
    name: Annotated[str, typer.Option(help="the fair's name")],
    venue: Annotated[str, typer.Option()],
    region: Annotated[str, typer.Option(help="GB/T 2260 code of the venue")],
    category: Annotated[str, typer.Option(help="e.g. 食品; organizers share records by it")],
    starts: Annotated[str, typer.Option(help="first day, YYYY-MM-DD")],
    ends: Annotated[str, typer.Option(help="last day, YYYY-MM-DD")],
    organizer: Annotated[str, typer.Option(help="the organizing company")],
    data_dir: DataDir = Path("ipfed-data"),
    encoding: Annotated[str, typer.Option(help="e.g. gb18030")] = "utf-8-sig",
) -> None:
    """Register a fair before it opens, and check every exhibit (all or nothing)."""
    from pydantic import ValidationError

    from ipfed.nodes.errors import InvalidInput
    from ipfed.nodes.fairs import service as fairs
    from ipfed.nodes.fairs.files import read_exhibitors
    from ipfed.nodes.fairs.schemas import FairIn

    settings = load(data_dir)
    exhibitors, rejections = read_exhibitors(file, encoding)
    if rejections:
        show_rejections(rejections)
        err.print("[red]nothing registered[/red]: fix the rows above")
        raise typer.Exit(1)
    try:
        request = FairIn(
            name=name,
            venue=venue,
            region_code=region,
            category=category,
            starts_on=starts,  # parsed by pydantic
            ends_on=ends,
            exhibitors=exhibitors,
        )
    except ValidationError as exc:
        raise InvalidInput(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from None
    total = sum(len(e.exhibits) for e in exhibitors)
    with progress_bar() as progress, node_db(settings) as db:
        task = progress.add_task("checking exhibits", total=total)
        fair = fairs.register_fair(
            db=db,
            settings=settings,
            request=request,
            organizer=organizer,
            today=fairs.fair_today(),
            on_progress=lambda done: progress.update(task, completed=done),
        )
        report = fairs.check_report(db=db, fair=fair)
    show_check(report, flagged_only=True)


@app.command("report")
def fairs_report(
    fair_id: str,
    data_dir: DataDir = Path("ipfed-data"),
    chart: Annotated[Path | None, typer.Option(help="also draw it, into this PNG or SVG")] = None,
) -> None:
    """A fair's check report: every exhibit, cleared or flagged, and why."""
    from ipfed.nodes.fairs import service as fairs

    settings = load(data_dir)
    with node_db(settings) as db:
        report = fairs.check_report(db=db, fair=fairs.get_fair(db=db, fair_id=fair_id))
    show_check(report, flagged_only=False)
    if chart is not None:
        from ipfed.nodes.fairs.charts import check_chart

        check_chart(report, chart)
        out.print(f"chart written to {chart}")


def show_check(report: "CheckReport", *, flagged_only: bool) -> None:
    fair = report.fair
    table = Table("exhibitor", "booth", "exhibit", "class", "check", "flags")
    for exhibitor in report.exhibitors:
        for exhibit in exhibitor.exhibits:
            if flagged_only and not exhibit.flags:
                continue
            flags = "\n".join(f"{f.code}: {f.reason}" for f in exhibit.flags)
            table.add_row(
                escape(exhibitor.name),
                escape(exhibitor.booth or ""),
                escape(exhibit.name),
                str(exhibit.nice_class or exhibit.locarno_class),
                exhibit.check.value,
                escape(flags),
            )
    if table.row_count:
        out.print(table)
    out.print(
        f"fair {fair.id} {escape(fair.name)} ({fair.starts_on} to {fair.ends_on}): "
        f"{report.exhibits} exhibits, {report.cleared} cleared, "
        f"[{'red' if report.flagged else 'green'}]{report.flagged} flagged[/]"
    )


@app.command("track")
def fairs_track(fair_id: str, data_dir: DataDir = Path("ipfed-data")) -> None:
    """After a fair: its flagged exhibits found among online listings."""
    from ipfed.nodes.fairs import service as fairs
    from ipfed.nodes.fairs import tracking as fair_tracking

    settings = load(data_dir)
    with node_db(settings) as db:
        report = fair_tracking.track_online(
            db=db, fair=fairs.get_fair(db=db, fair_id=fair_id), today=fairs.fair_today()
        )
    table = Table("exhibit", "exhibitor", "listing", "seller", "why", "url")
    for tracked in report.exhibits:
        for match in tracked.matches:
            table.add_row(
                escape(tracked.lead.exhibit.name),
                escape(tracked.lead.exhibitor.name),
                escape(match.title),
                escape(match.seller),
                ", ".join(match.reasons),
                escape(match.url or ""),
            )
    if table.row_count:
        out.print(table)
    found = sum(bool(t.matches) for t in report.exhibits)
    out.print(
        f"{found} of {len(report.exhibits)} flagged exhibits found online "
        f"among {report.listings_searched:,} listings"
    )
