"""The demo's filings flow: each regional office writes this month's progress report
from its own data, signs it and sends it over the exchange to the national node,
which answers with a signed receipt and builds the consolidated national report."""

import time
from pathlib import Path

from rich.console import Console
from sqlalchemy import select

from ipfed.nodes.adjudications.models import Adjudication
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction, utcnow
from ipfed.nodes.errors import ConfigurationError
from ipfed.nodes.filings import report
from ipfed.nodes.filings.calendar import FilingKind, Granularity, Period, china_today, node_calendar
from ipfed.nodes.filings.consolidation import national_report
from ipfed.nodes.filings.exchange import filing_transport
from ipfed.nodes.filings.models import FilingState
from ipfed.nodes.filings.schemas import CaseChoice, FillIn
from ipfed.nodes.filings.service import create_filing, fill_filing, own_filing, submit

WAIT_SECONDS = 60
SECTIONS = {
    "progress": "开展电商平台和展会知识产权保护专项检查，签发电子知识产权标识并跟踪核验。",
    "problems": "跨平台线索核查周期较长。",
    "next_month": "继续开展重点商品巡查，推进跨区域线索协查。",
}


def file_monthly_report(settings: NodeSettings, period: Period) -> str:
    """Write, sign and send this office's report; its id."""
    sessions = make_session_factory(make_engine(settings.db_url))
    with transaction(sessions) as db:
        filing = create_filing(
            db=db, settings=settings, kind=FilingKind.MONTHLY_REPORT, period=str(period)
        )
        province = settings.region_code[:2]
        cases = db.scalars(
            select(Adjudication.case_no)
            .where(Adjudication.authority_region.startswith(province))
            .order_by(Adjudication.decided_on.desc())
            .limit(2)
        ).all()
        chosen = [CaseChoice(case_no=case) for case in cases]
        fill_filing(db=db, filing=filing, fill=FillIn(sections=SECTIONS, typical_cases=chosen))
    submit(
        sessions=sessions,
        settings=settings,
        filing_id=filing.id,
        transport=filing_transport(settings),
        now=utcnow(),
    )
    return filing.id


def wait_for_receipt(settings: NodeSettings, filing_id: str, console: Console) -> None:
    """The national office's answer comes back over the exchange."""
    sessions = make_session_factory(make_engine(settings.db_url))
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with transaction(sessions) as db:
            filing = own_filing(db=db, settings=settings, filing_id=filing_id)
        if filing.state is FilingState.ACKNOWLEDGED:
            console.print(
                f"  {settings.node_id}: {filing.period} monthly report filed "
                f"(sha256 {(filing.sha256 or '')[:12]}…), signed receipt from the national office"
            )
            return
        if filing.state is FilingState.REFUSED or time.monotonic() > deadline:
            raise ConfigurationError(
                f"{settings.node_id}'s report was not received: {filing.delivery_error}",
                code="demo_filing_failed",
            )
        time.sleep(0.2)


def consolidate(national: NodeSettings, period: Period, console: Console) -> Path:
    """Write the national report of ``period`` under the national node's directory."""
    sessions = make_session_factory(make_engine(national.db_url))
    with transaction(sessions) as db:
        consolidation = national_report(
            db=db,
            calendar=node_calendar(national),
            kind=FilingKind.MONTHLY_REPORT,
            period=period,
            now=utcnow(),
        )
    folder = national.data_dir / "reports"
    folder.mkdir(exist_ok=True)
    stem = folder / f"filings-monthly_report-{period}"
    stem.with_suffix(".csv").write_bytes(report.to_csv(consolidation))
    stem.with_suffix(".xlsx").write_bytes(report.to_xlsx(consolidation))
    page = stem.with_suffix(".html")
    page.write_text(report.to_html(consolidation), encoding="utf-8")
    console.print(
        f"  national: consolidated report for {period}: {consolidation.filed} of "
        f"{len(consolidation.table)} provinces filed, {len(consolidation.not_filed)} not yet; "
        f"{page}",
        soft_wrap=True,
        highlight=False,
    )
    return page


def file_and_consolidate(nodes: list[NodeSettings], console: Console) -> Path:
    """Every regional node files this month's report; the national node consolidates."""
    period = Period.of(Granularity.MONTH, china_today(utcnow()))
    national, *regions = nodes
    filed = [(settings, file_monthly_report(settings, period)) for settings in regions]
    for settings, filing_id in filed:
        wait_for_receipt(settings, filing_id, console)
    return consolidate(national, period, console)
