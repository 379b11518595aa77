"""The national view of one period: every province's latest filing in one table,
compared between regions and with the previous period, and who has not filed."""

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipfed.nodes.filings.calendar import Calendar, FilingKind, Obligation, Period, china_today
from ipfed.nodes.filings.models import Filing, FilingState
from ipfed.nodes.filings.statistics import Statistics, flatten
from ipfed.registry.identifiers import PROVINCES, region_name

# The figures compared between regions and periods, with their headings.
KEY_FIGURES = {
    "leads.total": "线索总数",
    "leads.by_status.confirmed": "确认线索",
    "cases.total": "裁决案件",
    "marks.issued": "签发标识",
    "marks.verified": "标识核验",
    "exhibits.flagged": "可疑展品",
    "cross_border.total": "涉外预警",
}
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")


def short_name(code: str) -> str:
    """上海市 -> 上海, 新疆维吾尔自治区 -> 新疆: what fits under a chart's bar."""
    name = region_name(code)
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


@dataclass(frozen=True)
class RegionFiling:
    """The latest version a region filed for a period, and when its first arrived."""

    region_code: str
    filing_id: str
    version: int
    first_received_at: datetime
    statistics: Statistics


@dataclass(frozen=True)
class Consolidation:
    kind: FilingKind
    period: Period
    table: pd.DataFrame  # one row per province: filing standing and every figure
    previous: pd.DataFrame  # the previous period's figures, same shape
    change: pd.DataFrame  # key figures: this period, the previous one, the change
    comparison: pd.DataFrame  # key figures: each region's share of the total and its rank
    not_filed: pd.DataFrame  # provinces that owe the filing and have not filed it

    @property
    def figures(self) -> list[str]:
        return [c for c in self.table.columns if "." in c]

    @property
    def filed(self) -> int:
        return int(self.table["filed"].sum())


def figure_table(filings: list[RegionFiling]) -> pd.DataFrame:
    """Provinces x figures: the filed regions' figures (0 where a figure is absent),
    nothing for those that have not filed."""
    rows = {f.region_code: flatten(f.statistics) for f in filings}
    figures = pd.DataFrame.from_dict(rows, orient="index", dtype="Int64")
    figures = figures.reindex(index=list(PROVINCES), columns=_ordered(figures.columns))
    filed = figures.index.isin(list(rows))
    figures.loc[filed] = figures.loc[filed].fillna(0)
    return figures.astype("Int64")


def _ordered(columns: "pd.Index[str]") -> list[str]:
    """The key figures first (always there), then every other figure by name."""
    return [*KEY_FIGURES, *sorted(c for c in columns if c not in KEY_FIGURES)]


def consolidate(
    *,
    kind: FilingKind,
    period: Period,
    filings: list[RegionFiling],
    previous: list[RegionFiling],
    calendar: Calendar,
    today: date,
) -> Consolidation:
    current = figure_table(filings)
    before = figure_table(previous).reindex(columns=current.columns)
    filed = {f.region_code: f for f in filings}
    standing, due = [], []
    for region in PROVINCES:
        deadline = calendar.due_date(region, kind, period)
        due.append(deadline)
        filing = filed.get(region)
        first = china_today(filing.first_received_at) if filing else None
        owed = Obligation(region, kind, period, deadline) if deadline else None
        standing.append(
            owed.standing(first, today, calendar.due_soon_days) if owed else "not_required"
        )
    header = pd.DataFrame(
        {
            "region_name": [region_name(r) for r in PROVINCES],
            "filed": [r in filed for r in PROVINCES],
            "version": pd.array([filed[r].version if r in filed else None for r in PROVINCES]),
            "due": due,
            "standing": [str(s) for s in standing],
        },
        index=list(PROVINCES),
    )
    table = pd.concat([header, current], axis=1)
    table.index.name = "region_code"
    owing = table[~table["filed"] & (table["standing"] != "not_required")]
    not_filed = owing[["region_name", "due", "standing"]].copy()
    not_filed["days_overdue"] = [max((today - d).days, 0) for d in not_filed["due"]]
    return Consolidation(
        kind=kind,
        period=period,
        table=table,
        previous=before,
        change=_change(current, before),
        comparison=_comparison(current),
        not_filed=not_filed,
    )


def _with_total(frame: pd.DataFrame) -> pd.DataFrame:
    total = frame.sum(min_count=1).to_frame("total").T
    return pd.concat([frame, total])


def _change(current: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Key figures now and in the previous period, per region and for the country."""
    keys = [k for k in KEY_FIGURES if k in current.columns]
    now, then = _with_total(current[keys]), _with_total(before[keys])
    parts = {}
    for key in keys:
        difference = now[key] - then[key]
        parts[(key, "current")] = now[key]
        parts[(key, "previous")] = then[key]
        parts[(key, "change")] = difference
        parts[(key, "change_pct")] = (
            difference.astype("Float64") * 100 / then[key].replace(0, pd.NA)
        ).round(1)
    return pd.DataFrame(parts)


def _comparison(current: pd.DataFrame) -> pd.DataFrame:
    """Each region's share of the country's total (percent) and its rank, per key figure."""
    keys = [k for k in KEY_FIGURES if k in current.columns]
    parts = {}
    for key in keys:
        column = current[key]
        total = column.sum()
        parts[(key, "value")] = column
        parts[(key, "share_pct")] = (
            (column.astype("Float64") * 100 / total).round(1) if total else column * 0
        )
        parts[(key, "rank")] = column.rank(method="min", ascending=False).astype("Int64")
    return pd.DataFrame(parts)


# --- from the national node's database ------------------------------------------


def received(*, db: Session, kind: FilingKind, period: Period) -> list[RegionFiling]:
    """The latest version each region filed for ``period``."""
    first = (
        select(
            Filing.region_code,
            func.min(Filing.received_at).label("first"),
            func.max(Filing.version).label("latest"),
        )
        .where(
            Filing.state == FilingState.RECEIVED,
            Filing.kind == kind,
            Filing.period == str(period),
        )
        .group_by(Filing.region_code)
        .subquery()
    )
    rows = db.execute(
        select(Filing, first.c.first)
        .join(
            first,
            (Filing.region_code == first.c.region_code) & (Filing.version == first.c.latest),
        )
        .where(Filing.kind == kind, Filing.period == str(period))
    )
    return [
        RegionFiling(
            region_code=filing.region_code,
            filing_id=filing.id,
            version=filing.version,
            first_received_at=first_at,
            statistics=Statistics.model_validate(filing.statistics),
        )
        for filing, first_at in rows
    ]


def national_report(
    *, db: Session, calendar: Calendar, kind: FilingKind, period: Period, now: datetime
) -> Consolidation:
    return consolidate(
        kind=kind,
        period=period,
        filings=received(db=db, kind=kind, period=period),
        previous=received(db=db, kind=kind, period=period.previous()),
        calendar=calendar,
        today=china_today(now),
    )
