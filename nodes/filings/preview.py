"""One filing as a page, so the office reads what it is about to sign."""

import html

from ipfed.nodes.filings.calendar import KIND_NAMES, FilingKind
from ipfed.nodes.filings.schemas import SECTIONS, Preview
from ipfed.nodes.filings.statistics import Statistics, flatten

# Headings of the figures, by their flattened name's first part.
GROUPS = {
    "leads": "线索",
    "cases": "行政裁决案件",
    "marks": "电子标识",
    "exhibits": "展会展品",
    "listings": "网络商品筛查",
    "cross_border": "涉外预警",
}


def figure_rows(statistics: Statistics) -> list[tuple[str, str, int]]:
    """(group heading, figure, value) for every figure."""
    return [
        (GROUPS[name.split(".", 1)[0]], name.split(".", 1)[1], value)
        for name, value in flatten(statistics).items()
    ]


def preview_html(preview: Preview) -> str:
    document = preview.document
    kind = FilingKind(document["kind"])
    e = html.escape
    statistics = Statistics.model_validate(document["statistics"])
    rows = "".join(
        f"<tr><th>{e(group)}</th><td>{e(name)}</td><td>{value}</td></tr>"
        for group, name, value in figure_rows(statistics)
    )
    unwritten = "<em>（未填写）</em>"
    sections = "".join(
        f"<h2>{e(heading)}</h2><p>{e(document['sections'].get(name, '')) or unwritten}</p>"
        for name, heading in SECTIONS[kind].items()
    )
    cases = "".join(
        f"<li><b>{e(c['case_no'])}</b> {e(c['right_kind'])} {e(c['right_number'])}，"
        f"{e(c['decision'])}（{e(c['authority'])}，{e(c['decided_on'])}）：{e(c['summary'])}</li>"
        for c in document["typical_cases"]
    )
    missing = (
        f"<p class=missing>尚未填写：{e('、'.join(preview.missing_sections))}</p>"
        if preview.missing_sections
        else ""
    )
    return (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
        f"<title>{e(document['title'])}</title>"
        "<style>body{font-family:sans-serif;margin:2em;max-width:60em}"
        ".missing{color:#b00}td,th{padding:2px 8px;text-align:left}</style>"
        f"<h1>{e(document['title'])}</h1>"
        f"<p>{e(document['office'])} · {e(KIND_NAMES[kind])} · {e(document['period'])} · "
        f"第 {document['version']} 版 · {e(document['filing_id'])}</p>{missing}"
        f"<h2>统计数据</h2><table>{rows}</table>{sections}"
        f"<h2>典型案例</h2><ul>{cases or '<li>无</li>'}</ul></html>"
    )
