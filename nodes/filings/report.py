"""The consolidated report in the forms people use: CSV, an XLSX workbook, and an HTML
page with matplotlib charts (inline SVG, so the page stands alone)."""

import html
import io

import pandas as pd
from matplotlib.figure import Figure

from ipfed.nodes.charts import chinese
from ipfed.nodes.filings.calendar import KIND_NAMES
from ipfed.nodes.filings.consolidation import KEY_FIGURES, Consolidation, short_name

LEAD_SERIES = {
    "trademark": "商标侵权",
    "patent_marking": "假冒专利",
    "design": "外观设计侵权",
    "invention": "发明和实用新型侵权",
}
MARK_SERIES = {"issued": "签发", "verified": "核验", "suspended": "中止", "revoked": "撤销"}
STANDINGS = {
    "filed": "按时报送",
    "filed_late": "逾期报送",
    "overdue": "逾期未报",
    "due_soon": "即将到期",
    "upcoming": "未到期",
}


def _labels(report: Consolidation) -> list[str]:
    return [short_name(code) for code in report.table.index]


def _column(report: Consolidation, figure: str) -> list[int]:
    if figure not in report.table.columns:
        return [0] * len(report.table)
    return [int(v) for v in report.table[figure].fillna(0)]


def _stacked(title: str, labels: list[str], series: dict[str, list[int]]) -> Figure:
    figure = Figure(figsize=(12, 4.5), layout="constrained")
    axes = figure.subplots()
    bottom = [0] * len(labels)
    for name, values in series.items():
        axes.bar(labels, values, bottom=bottom, label=name)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_title(title)
    axes.tick_params(axis="x", labelrotation=90)
    axes.legend(ncols=len(series))
    return figure


def leads_chart(report: Consolidation) -> Figure:
    """Leads per region, stacked by kind."""
    series = {name: _column(report, f"leads.by_kind.{kind}") for kind, name in LEAD_SERIES.items()}
    return _stacked(f"{report.period.label()} 各地区线索（按类型）", _labels(report), series)


def marks_chart(report: Consolidation) -> Figure:
    """What happened to electronic marks in each region."""
    series = {name: _column(report, f"marks.{key}") for key, name in MARK_SERIES.items()}
    return _stacked(f"{report.period.label()} 各地区电子标识", _labels(report), series)


def change_chart(report: Consolidation, figure: str = "leads.total") -> Figure:
    """One key figure per region, this period beside the previous one."""
    labels = _labels(report)
    now = _column(report, figure)
    then = [int(v) for v in report.previous[figure].fillna(0)] if figure in report.previous else []
    chart = Figure(figsize=(12, 4.5), layout="constrained")
    axes = chart.subplots()
    positions = range(len(labels))
    width = 0.4
    axes.bar([p - width / 2 for p in positions], then or [0] * len(labels), width, label="上期")
    axes.bar([p + width / 2 for p in positions], now, width, label="本期")
    axes.set_xticks(list(positions), labels, rotation=90)
    heading = KEY_FIGURES.get(figure, figure)
    axes.set_title(f"{heading}：{report.period.label()}与{report.period.previous().label()}")
    axes.legend()
    return chart


def standing_chart(report: Consolidation) -> Figure:
    """How many provinces filed on time, late, or not yet."""
    counts = report.table["standing"].value_counts()
    names = [n for n in STANDINGS if counts.get(n, 0)]
    chart = Figure(figsize=(6, 3.5), layout="constrained")
    axes = chart.subplots()
    axes.barh([STANDINGS[n] for n in names], [int(counts[n]) for n in names])
    axes.set_title(f"报送情况（{report.filed}/{len(report.table)} 已报送）")
    axes.invert_yaxis()
    return chart


def charts(report: Consolidation) -> dict[str, Figure]:
    with chinese():
        return {
            "standing": standing_chart(report),
            "leads": leads_chart(report),
            "change": change_chart(report),
            "marks": marks_chart(report),
        }


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with chinese():
        figure.savefig(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Two-level columns as ``figure change`` headings, for files that have one header row."""
    flat = frame.copy()
    if isinstance(flat.columns, pd.MultiIndex):
        flat.columns = [" ".join(str(p) for p in c) for c in flat.columns]
    return flat


def to_csv(report: Consolidation) -> bytes:
    """The national table, one row per province (UTF-8 with BOM, so spreadsheets read it)."""
    text: str = report.table.to_csv()
    return text.encode("utf-8-sig")


def to_xlsx(report: Consolidation) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as workbook:
        report.table.to_excel(workbook, sheet_name="汇总")
        _flat(report.change).to_excel(workbook, sheet_name="环比")
        _flat(report.comparison).to_excel(workbook, sheet_name="地区比较")
        report.not_filed.to_excel(workbook, sheet_name="未报送")
    return buffer.getvalue()


def to_html(report: Consolidation) -> str:
    title = f"全国{report.period.label()}{KIND_NAMES[report.kind]}汇总"
    missing = "、".join(report.not_filed["region_name"]) or "无"
    figures = "".join(f"<figure>{_svg(chart)}</figure>" for chart in charts(report).values())
    tables = [
        ("汇总表", report.table),
        ("与上期比较", report.change),
        ("地区比较", report.comparison),
        ("未报送地区", report.not_filed),
    ]
    sections = "".join(
        f"<h2>{html.escape(name)}</h2>{frame.to_html(na_rep='—', border=0)}"
        for name, frame in tables
    )
    return (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "font-size:12px}td,th{padding:2px 6px;border-bottom:1px solid #ddd;text-align:right}"
        "figure{margin:1em 0}svg{max-width:100%;height:auto}</style>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>已报送 {report.filed} / {len(report.table)} 个省级地区。"
        f"未报送：{html.escape(missing)}。</p>"
        f"{figures}{sections}</html>"
    )
