"""Charts of detection figures, for people who would rather look than read."""

from collections.abc import Sequence
from pathlib import Path

from ipfed.nodes.detection.schemas import Precision


def precision_chart(figures: Sequence[Precision], path: Path) -> None:
    """Reviewed leads per detector (confirmed and rejected) with their precision (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = [f.kind.value.replace("_", " ") for f in figures]
    confirmed = [f.confirmed for f in figures]
    rejected = [f.rejected for f in figures]
    figure, axis = plt.subplots(figsize=(7, 3.5))
    axis.bar(kinds, confirmed, label="confirmed", color="#27ae60")
    axis.bar(kinds, rejected, bottom=confirmed, label="rejected", color="#c0392b")
    for x, f in enumerate(figures):
        if f.precision is not None:
            axis.annotate(
                f"{f.precision:.0%}",
                (x, f.confirmed + f.rejected),
                ha="center",
                va="bottom",
            )
    axis.set_ylabel("reviewed leads")
    axis.set_title("Detector precision (share of reviewed leads confirmed)")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
