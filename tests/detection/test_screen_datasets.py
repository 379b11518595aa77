"""`ipfed screen` on the development datasets in ../shared/datasets: the figures the
issue asks for (>= 90% of expected leads found, <= 10% of clean listings flagged)."""

import csv
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ipfed.detection.cli import screen as screen_command

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
app = typer.Typer()  # the command as `ipfed` registers it
app.command("screen")(screen_command)
app.callback()(lambda: None)  # keeps the command's name on the command line


def screen(dataset: str, out: Path) -> tuple[float, float, dict[str, set[str]]]:
    folder = DATASETS / dataset
    if not folder.exists():
        pytest.skip(f"{folder} is not present")
    result = CliRunner().invoke(
        app,
        [
            "screen",
            "--rights",
            str(folder),
            "--listings",
            str(folder / "listings.csv"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert rows and list(rows[0]) == ["listing_id", "kind", "right_id", "score", "reasons"]
    flagged: dict[str, set[str]] = {}
    for row in rows:
        flagged.setdefault(row["listing_id"], set()).add(row["right_id"])
        assert 0 < float(row["score"]) <= 1 and row["reasons"]
    with (folder / "listings.csv").open(encoding="utf-8") as file:
        listings = list(csv.DictReader(file))
    expected_column = next(c for c in listings[0] if c.startswith("expected_"))
    leads = [r for r in listings if r[expected_column]]
    clean = [r for r in listings if not r[expected_column]]
    found = sum(r[expected_column] in flagged.get(r["listing_id"], set()) for r in leads)
    false = sum(r["listing_id"] in flagged for r in clean)
    return found / len(leads), false / len(clean), flagged


def test_trademark_dev_set(tmp_path: Path) -> None:
    recall, false_rate, flagged = screen("trademark-dev", tmp_path / "leads.csv")
    assert recall >= 37 / 39, recall  # the figures measured when the engine moved
    assert false_rate <= 1 / 31, false_rate
    # licensed sellers of the very mark are never leads
    assert not {"P040", "P041", "P042", "P061"} & set(flagged)


def test_patent_marking_dev_set(tmp_path: Path) -> None:
    recall, false_rate, flagged = screen("patent-marking-dev", tmp_path / "leads.csv")
    assert recall >= 0.9, recall
    assert false_rate <= 0.1, false_rate
    assert "A008" not in flagged  # a pending application honestly marked as one
    assert flagged["A002"] == {"201921334455.0"}  # the number as the listing wrote it


@pytest.mark.parametrize(
    ("dataset", "listing", "reasons"),
    [
        (
            "trademark-dev",
            "P001",
            "「可日可乐」 resembles mark D01 「可口可乐」 of The Coca-Cola Company; "
            "日 looks like 口; same Nice class 32; the seller is neither the holder nor a licensee",
        ),
        (
            "patent-marking-dev",
            "A002",
            "201921334455.0 cannot be a patent number: '201921334455.0': check character is 0, "
            "the number requires 1",
        ),
    ],
)
def test_the_csv_says_each_reason_in_english_as_it_always_has(
    tmp_path: Path, dataset: str, listing: str, reasons: str
) -> None:
    """Reasons became codes and parameters: their sentences in the CSV did not change."""
    out = tmp_path / "leads.csv"
    screen(dataset, out)
    with out.open(encoding="utf-8") as file:
        rows = {row["listing_id"]: row for row in csv.DictReader(file)}
    assert rows[listing]["reasons"] == reasons
