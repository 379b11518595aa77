"""The demo's built-in sample (nodes/demo/sample): every kind of record, small."""

from pathlib import Path

from sqlalchemy.orm import Session

from ipfed.nodes.imports.kinds import import_kind
from ipfed.nodes.imports.service import import_file

SAMPLE = Path(__file__).resolve().parents[2] / "nodes" / "demo" / "sample"
# In dependency order: licences, cases and products name rights.
SAMPLE_KINDS = (
    "trademarks",
    "patents",
    "geographical-indications",
    "licences",
    "adjudications",
    "key-products",
    "participants",
    "listings",
)


def import_sample(db: Session) -> None:
    """Every kind of the sample, imported in the session's transaction."""
    for kind in SAMPLE_KINDS:
        report = import_file(db=db, kind=import_kind(kind), path=SAMPLE / f"{kind}.csv")
        assert report.committed and report.rows_rejected == 0, report.rejections
