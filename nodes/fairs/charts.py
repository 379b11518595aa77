"""Charts of a fair's check report, for people who would rather look than read."""

from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ipfed.nodes.fairs.schemas import CheckReport


def check_chart(report: CheckReport, path: Path) -> None:
    """Cleared against flagged exhibits, and the flags by reason, as a PNG or SVG file."""
    figure = Figure(figsize=(10, 4), layout="constrained")  # no pyplot: no display needed
    outcome, reasons = figure.subplots(1, 2, width_ratios=[1, 2])
    outcome.bar(
        ["cleared", "flagged"], [report.cleared, report.flagged], color=["#1a7f37", "#cf222e"]
    )
    outcome.set_title(f"{report.exhibits} exhibits")
    outcome.set_ylabel("exhibits")
    codes = list(report.flags_by_code)[::-1]  # the most frequent on top
    reasons.barh(codes, [report.flags_by_code[c] for c in codes], color="#9a6700")
    reasons.set_title("flags by reason")
    reasons.set_xlabel("flags")
    outcome.yaxis.set_major_locator(MaxNLocator(integer=True))
    reasons.xaxis.set_major_locator(MaxNLocator(integer=True))
    figure.suptitle(
        f"Pre-exhibition check of fair {report.fair.id}, "
        f"{report.fair.starts_on} to {report.fair.ends_on}"
    )
    figure.savefig(path)
