"""``ipfed filings``: write, preview and submit filings, follow the calendar and the
receipts, and build the national consolidated report."""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ipfed.nodes.cli_support import DataDir, err, load, node_db, node_sessions, out, progress_bar
from ipfed.nodes.filings.calendar import REMINDED, FilingKind, Standing

app = typer.Typer(
    help="Plans, summaries and monthly reports to the national office.", no_args_is_help=True
)
STYLES = {
    Standing.OVERDUE: "bold red",
    Standing.DUE_SOON: "yellow",
    Standing.FILED_LATE: "magenta",
    Standing.FILED: "green",
    Standing.UPCOMING: "",
}


def _pairs(values: list[str], option: str) -> dict[str, str]:
    from ipfed.nodes.errors import InvalidInput

    pairs = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"{option} takes NAME=VALUE, not {value!r}", code="bad_option")
        pairs[name.strip()] = text
    return pairs


@app.command("create")
def create(
    kind: Annotated[FilingKind, typer.Argument()],
    period: Annotated[str, typer.Argument(help="2024, 2024-H1 or 2024-03")],
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Start a draft; its figures are computed from this node's data."""
    from ipfed.nodes.filings import service

    settings = load(data_dir)
    with node_db(settings) as db:
        filing = service.create_filing(db=db, settings=settings, kind=kind, period=period)
    out.print(f"draft {filing.id}: {escape(filing.title)}")
    out.print(f"sections to write: {', '.join(filing.sections)}")


@app.command("fill")
def fill(
    filing_id: str,
    title: Annotated[str | None, typer.Option()] = None,
    section: Annotated[list[str], typer.Option(help="NAME=TEXT; repeat")] = [],  # noqa: B006
    section_file: Annotated[
        list[str], typer.Option(help="NAME=PATH of a UTF-8 text file; repeat")
    ] = [],  # noqa: B006
    case: Annotated[
        list[str], typer.Option(help="a typical case's number; repeat (replaces the list)")
    ] = [],  # noqa: B006
    refresh: Annotated[bool, typer.Option(help="recompute the figures")] = False,
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Write sections, choose typical cases, or recompute the figures of a draft."""
    from ipfed.nodes.filings import service
    from ipfed.nodes.filings.schemas import CaseChoice, FillIn

    sections = _pairs(section, "--section")
    for name, path in _pairs(section_file, "--section-file").items():
        sections[name] = Path(path).read_text(encoding="utf-8")
    body = FillIn(
        title=title,
        sections=sections,
        typical_cases=[CaseChoice(case_no=c) for c in case] or None,
        refresh_statistics=refresh,
    )
    settings = load(data_dir)
    with node_db(settings) as db:
        filing = service.own_filing(db=db, settings=settings, filing_id=filing_id)
        service.fill_filing(db=db, filing=filing, fill=body)
        missing = service.missing_sections(filing)
    out.print(f"{filing.id} saved" + (f"; still to write: {', '.join(missing)}" * bool(missing)))


@app.command("preview")
def preview(
    filing_id: str,
    html: Annotated[Path | None, typer.Option(help="also write the page here")] = None,
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """Show a filing as it will be signed."""
    from ipfed.nodes.database.core import utcnow
    from ipfed.nodes.filings import service
    from ipfed.nodes.filings.preview import figure_rows, preview_html
    from ipfed.nodes.filings.schemas import SECTIONS
    from ipfed.nodes.filings.statistics import Statistics

    settings = load(data_dir)
    with node_db(settings) as db:
        filing = service.get_filing(db=db, filing_id=filing_id)
        shown = service.preview(filing, filing.signed_at or utcnow())
    document = shown.document
    out.print(f"[bold]{escape(document['title'])}[/bold]  v{document['version']}")
    figures = Table("", "figure", "value")
    for group, name, value in figure_rows(Statistics.model_validate(document["statistics"])):
        figures.add_row(group, name, str(value))
    out.print(figures)
    for name, heading in SECTIONS[FilingKind(document["kind"])].items():
        text = document["sections"].get(name, "")
        out.print(f"[bold]{heading}[/bold]\n{escape(text) or '[red](not written)[/red]'}")
    for case in document["typical_cases"]:
        out.print(f"典型案例 {escape(case['case_no'])}: {escape(case['summary'])}")
    if html is not None:
        html.write_text(preview_html(shown), encoding="utf-8")
        out.print(f"page written to {html}")


@app.command("submit")
def submit(filing_id: str, data_dir: DataDir = Path("ipfed-data")) -> None:
    """Sign a draft and send it to the national office (again, if it was not received)."""
    from ipfed.nodes.database.core import utcnow
    from ipfed.nodes.filings import service
    from ipfed.nodes.filings.exchange import filing_transport
    from ipfed.nodes.filings.models import FilingState

    settings = load(data_dir)
    filing = service.submit(
        sessions=node_sessions(settings),
        settings=settings,
        filing_id=filing_id,
        transport=filing_transport(settings),
        now=utcnow(),
    )
    if filing.delivery_error:
        what = "refused" if filing.state is FilingState.REFUSED else "not delivered yet"
        err.print(f"[red]{what}[/red] {escape(filing.delivery_error)}")
        raise typer.Exit(1)
    out.print(f"{filing.id} {filing.state}: sha256 {filing.sha256}")
    if filing.state is FilingState.SUBMITTED:
        out.print("queued for the national office; its receipt comes back over the exchange")


@app.command("correct")
def correct(filing_id: str, data_dir: DataDir = Path("ipfed-data")) -> None:
    """Start a new version of a submitted filing; the submitted one stays as it is."""
    from ipfed.nodes.filings import service

    settings = load(data_dir)
    with node_db(settings) as db:
        filing = service.own_filing(db=db, settings=settings, filing_id=filing_id)
        correction = service.correct_filing(db=db, filing=filing)
    out.print(f"draft {correction.id}: version {correction.version} of {filing.id}")


@app.command("list")
def list_filings(
    period: Annotated[str | None, typer.Option()] = None,
    kind: Annotated[FilingKind | None, typer.Option()] = None,
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """This office's filings (at the national node: those received), and reminders."""
    from sqlalchemy import select

    from ipfed.nodes.database.core import utcnow
    from ipfed.nodes.filings import service
    from ipfed.nodes.filings.calendar import node_calendar
    from ipfed.nodes.filings.models import Filing

    settings = load(data_dir)
    with node_db(settings) as db:
        query = select(Filing).order_by(Filing.period, Filing.region_code, Filing.version)
        if period is not None:
            query = query.where(Filing.period == period)
        if kind is not None:
            query = query.where(Filing.kind == kind)
        rows = db.scalars(query).all()
        due = service.reminders(
            db=db, settings=settings, calendar=node_calendar(settings), now=utcnow()
        )
    table = Table("id", "region", "kind", "period", "v", "state", "title")
    for f in rows:
        table.add_row(
            f.id, f.region_code, f.kind, f.period, str(f.version), f.state, escape(f.title)
        )
    out.print(table)
    for o in due:
        style = STYLES[o.standing]
        out.print(
            f"[{style}]{o.standing}[/{style}] {o.region_name} {o.kind} {o.period} due {o.due}"
        )


@app.command("calendar")
def calendar(
    year: Annotated[int | None, typer.Option()] = None,
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """What is due in a year and where each filing stands; exits 1 if any is overdue."""
    from ipfed.nodes.database.core import utcnow
    from ipfed.nodes.filings import service
    from ipfed.nodes.filings.calendar import china_today, node_calendar

    settings = load(data_dir)
    now = utcnow()
    with node_db(settings) as db:
        found = service.obligations(
            db=db,
            settings=settings,
            calendar=node_calendar(settings),
            year=year or china_today(now).year,
            now=now,
        )
    table = Table("due", "region", "kind", "period", "standing", "filing")
    for o in found:
        style = STYLES[o.standing]
        table.add_row(
            str(o.due),
            o.region_name,
            o.kind,
            o.period,
            f"[{style}]{o.standing}[/{style}]" if style else o.standing,
            o.filing_id or "",
        )
    out.print(table)
    if any(o.standing in REMINDED for o in found):
        reminded = [o for o in found if o.standing in REMINDED]
        out.print(f"{len(reminded)} filing(s) overdue or due soon")
    if any(o.standing is Standing.OVERDUE for o in found):
        raise typer.Exit(1)


@app.command("receipts")
def receipts(data_dir: DataDir = Path("ipfed-data")) -> None:
    """The national office's signed receipts."""
    from sqlalchemy import select

    from ipfed.nodes.filings.models import FilingReceipt

    settings = load(data_dir)
    with node_db(settings) as db:
        rows = db.scalars(select(FilingReceipt).order_by(FilingReceipt.received_at)).all()
    table = Table("filing", "received by", "received at", "ledger entry")
    for r in rows:
        table.add_row(r.filing_id, r.received_by, r.received_at.isoformat(), str(r.ledger_position))
    out.print(table)


@app.command("report")
def report_command(
    period: Annotated[str, typer.Argument(help="2024-03, 2024-H1 or 2024")],
    kind: Annotated[FilingKind, typer.Option()] = FilingKind.MONTHLY_REPORT,
    folder: Annotated[Path, typer.Option("--out", help="the folder to write to")] = Path("."),
    data_dir: DataDir = Path("ipfed-data"),
) -> None:
    """The national consolidated report: CSV, XLSX and HTML with charts."""
    from ipfed.nodes.database.core import utcnow
    from ipfed.nodes.filings import report
    from ipfed.nodes.filings.calendar import Period, node_calendar
    from ipfed.nodes.filings.consolidation import Consolidation, national_report

    settings = load(data_dir)
    parsed = Period.parse(period)
    folder.mkdir(parents=True, exist_ok=True)
    steps: dict[str, Callable[[Consolidation], str | bytes]] = {
        "csv": report.to_csv,
        "xlsx": report.to_xlsx,
        "html": report.to_html,
    }
    with progress_bar(time_left=False) as progress:
        task = progress.add_task("consolidating", total=1 + len(steps))
        with node_db(settings) as db:
            consolidation = national_report(
                db=db, calendar=node_calendar(settings), kind=kind, period=parsed, now=utcnow()
            )
        progress.advance(task)
        written = []
        for suffix, render in steps.items():
            progress.update(task, description=f"writing {suffix}")
            path = folder / f"filings-{kind}-{parsed}.{suffix}"
            content = render(consolidation)
            if isinstance(content, str):
                path.write_text(content, encoding="utf-8")
            else:
                path.write_bytes(content)
            written.append(path)
            progress.advance(task)
    out.print(
        f"{consolidation.filed} of {len(consolidation.table)} provinces filed {kind} {parsed}"
    )
    missing = consolidation.not_filed["region_name"].tolist()
    if missing:
        out.print(f"not filed: {'、'.join(missing)}")
    for path in written:
        out.print(f"wrote {path}")
