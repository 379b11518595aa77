"""The national consolidation: one table across the provinces, the change since the
previous period, who has not filed, and charts drawn with the right series."""

import io
from datetime import UTC, date, datetime

import pandas as pd
from cryptography import x509
from matplotlib.container import BarContainer
from sqlalchemy.orm import Session

from ipfed.ledger.identity import PrivateKey
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import new_id, utcnow
from ipfed.nodes.filings import report
from ipfed.nodes.filings.calendar import (
    DEFAULT_CALENDAR,
    FilingKind,
    Granularity,
    Period,
    china_today,
)
from ipfed.nodes.filings.consolidation import (
    Consolidation,
    RegionFiling,
    consolidate,
    national_report,
    short_name,
)
from ipfed.nodes.filings.document import FilingDocument, SignedFiling
from ipfed.nodes.filings.receiving import receive_filing
from ipfed.nodes.filings.statistics import LeadFigures, MarkFigures, Statistics
from ipfed.registry.identifiers import PROVINCES

Keys = dict[str, tuple[PrivateKey, x509.Certificate]]
MONTHLY = FilingKind.MONTHLY_REPORT
MARCH = Period.parse("2024-03")


def filed(region: str, leads: dict[str, int], on: str, marks: int = 0) -> RegionFiling:
    return RegionFiling(
        region_code=region,
        filing_id=new_id(),
        version=1,
        first_received_at=datetime.fromisoformat(on).astimezone(UTC),
        statistics=Statistics(
            leads=LeadFigures(total=sum(leads.values()), by_kind=leads),
            marks=MarkFigures(issued=marks, verified=2 * marks),
        ),
    )


def march(today: date = date(2024, 4, 10)) -> Consolidation:
    return consolidate(
        kind=MONTHLY,
        period=MARCH,
        filings=[
            filed("310000", {"trademark": 4, "design": 1}, "2024-04-03T10:00:00+08:00", marks=3),
            filed("330000", {"trademark": 6, "invention": 1}, "2024-04-08T10:00:00+08:00"),
        ],
        previous=[filed("310000", {"trademark": 2}, "2024-03-04T10:00:00+08:00")],
        calendar=DEFAULT_CALENDAR,
        today=today,
    )


def test_the_table_has_every_province_and_who_has_not_filed() -> None:
    consolidation = march()
    table = consolidation.table
    assert list(table.index) == list(PROVINCES) and len(table) == 31
    assert consolidation.filed == 2
    assert table.loc["310000", "standing"] == "filed"  # by 5 April
    assert table.loc["330000", "standing"] == "filed_late"
    assert table.loc["310000", "leads.total"] == 5
    assert table.loc["330000", "leads.by_kind.invention"] == 1
    assert table.loc["310000", "leads.by_kind.invention"] == 0  # filed: absent is zero
    assert pd.isna(table.loc["110000", "leads.total"])  # not filed: unknown
    missing = consolidation.not_filed
    assert len(missing) == 29 and "310000" not in missing.index
    assert missing.loc["110000", "region_name"] == "北京市"
    assert missing.loc["110000", "standing"] == "overdue"
    assert missing.loc["110000", "days_overdue"] == 5
    early = march(today=date(2024, 4, 1))
    assert early.not_filed.loc["110000", "standing"] == "due_soon"
    assert early.not_filed.loc["110000", "days_overdue"] == 0


def test_the_change_since_the_previous_period_and_the_comparison_between_regions() -> None:
    consolidation = march()
    change = consolidation.change
    assert change.loc["310000", ("leads.total", "previous")] == 2
    assert change.loc["310000", ("leads.total", "change")] == 3
    assert change.loc["310000", ("leads.total", "change_pct")] == 150.0
    assert pd.isna(change.loc["330000", ("leads.total", "previous")])  # did not file before
    assert change.loc["total", ("leads.total", "current")] == 12
    assert change.loc["total", ("leads.total", "previous")] == 2
    comparison = consolidation.comparison
    assert comparison.loc["310000", ("leads.total", "share_pct")] == 41.7
    assert comparison.loc["330000", ("leads.total", "share_pct")] == 58.3
    assert comparison.loc["330000", ("leads.total", "rank")] == 1
    assert comparison.loc["310000", ("leads.total", "rank")] == 2


def bars(chart: object) -> list[list[float]]:
    axes = chart.axes[0]  # type: ignore[attr-defined]
    return [[bar.get_height() for bar in c] for c in axes.containers if isinstance(c, BarContainer)]


def test_the_charts_draw_the_right_series() -> None:
    consolidation = march()
    drawn = report.charts(consolidation)
    shanghai, zhejiang = PROVINCES.index("310000"), PROVINCES.index("330000")

    leads = drawn["leads"].axes[0]
    assert [t.get_text() for t in leads.get_legend().get_texts()] == list(
        report.LEAD_SERIES.values()
    )
    assert [t.get_text() for t in leads.get_xticklabels()] == [short_name(r) for r in PROVINCES]
    trademark, patent_marking, design, invention = bars(drawn["leads"])
    assert (trademark[shanghai], design[shanghai], invention[shanghai]) == (4, 1, 0)
    assert (trademark[zhejiang], invention[zhejiang]) == (6, 1)
    assert sum(trademark) == 10 and sum(patent_marking) == 0

    previous, current = bars(drawn["change"])
    assert previous[shanghai] == 2 and current[shanghai] == 5 and current[zhejiang] == 7
    assert sum(previous) == 2 and sum(current) == 12

    issued, verified, _suspended, _revoked = bars(drawn["marks"])
    assert (issued[shanghai], verified[shanghai], sum(verified)) == (3, 6, 6)

    standing = drawn["standing"].axes[0]
    widths = {
        t.get_text(): b.get_width()
        for t, b in zip(standing.get_yticklabels(), standing.patches, strict=True)
    }
    assert widths == {"按时报送": 1, "逾期报送": 1, "逾期未报": 29}


def test_csv_xlsx_and_html_hold_the_consolidation() -> None:
    consolidation = march()
    table = pd.read_csv(io.BytesIO(report.to_csv(consolidation)), encoding="utf-8-sig")
    assert len(table) == 31
    assert table.set_index("region_code").loc[310000, "leads.total"] == 5
    sheets = pd.read_excel(io.BytesIO(report.to_xlsx(consolidation)), sheet_name=None)
    assert list(sheets) == ["汇总", "环比", "地区比较", "未报送"]
    assert len(sheets["未报送"]) == 29
    assert (
        sheets["环比"].set_index(sheets["环比"].columns[0]).loc["total", "leads.total change"] == 10
    )
    page = report.to_html(consolidation)
    assert page.count("<svg") == 4
    assert "已报送 2 / 31" in page and "北京市" in page and "新疆维吾尔自治区" in page


def test_the_national_report_takes_each_regions_latest_version(
    db: Session, offices: Keys, national: NodeSettings
) -> None:
    now = utcnow()
    period = Period.of(Granularity.MONTH, china_today(now)).previous()

    def send(
        node_id: str, region: str, office: str, version: int, supersedes: str | None, leads: int
    ) -> str:
        key, certificate = offices[node_id]
        document = FilingDocument(
            filing_id=new_id(),
            region_code=region,
            office=office,
            kind=MONTHLY,
            period=str(period),
            version=version,
            supersedes=supersedes,
            title="月度工作进展",
            statistics=Statistics(leads=LeadFigures(total=leads)),
            sections={},
            typical_cases=[],
            signed_at=now,
        )
        signed = SignedFiling.create(document, key, certificate)
        receive_filing(db=db, settings=national, filing=signed, now=now)
        return document.filing_id

    first = send("sh", "310000", "上海市知识产权局", 1, None, leads=5)
    send("sh", "310000", "上海市知识产权局", 2, first, leads=6)
    send("zj", "330000", "浙江省知识产权局", 1, None, leads=9)
    consolidation = national_report(
        db=db, calendar=DEFAULT_CALENDAR, kind=MONTHLY, period=period, now=now
    )
    table = consolidation.table
    assert table.loc["310000", "leads.total"] == 6 and table.loc["310000", "version"] == 2
    assert table.loc["330000", "leads.total"] == 9
    assert consolidation.filed == 2 and len(consolidation.not_filed) == 29
    on_time = china_today(now) <= period.end.replace(day=5)
    assert table.loc["310000", "standing"] == ("filed" if on_time else "filed_late")
