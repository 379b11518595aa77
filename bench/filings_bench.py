"""Filings at national scale: 31 provinces x 12 monthly reports built from 1,000,000 leads.

Generates the leads (kind, source, status, found and review times) of a year, builds
each province's monthly figures with the same code a regional node uses, signs every
report with its province's key, has a national node on SQLite verify, store and
record each on its ledger, then consolidates the twelve months (each against the
month before) and renders the last month's report (CSV, XLSX, HTML with charts).

    python bench/filings_bench.py [--leads 1000000]

Target: building the 372 reports from the leads and consolidating them <= 10 s.
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ipfed.ledger.identity import CertificateAuthority, Organisation, Role, generate_key
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, new_id, transaction, utcnow
from ipfed.nodes.database.migrate import upgrade
from ipfed.nodes.filings import report
from ipfed.nodes.filings.calendar import DEFAULT_CALENDAR, FilingKind, Period
from ipfed.nodes.filings.consolidation import national_report
from ipfed.nodes.filings.document import FilingDocument, SignedFiling
from ipfed.nodes.filings.receiving import receive_filing
from ipfed.nodes.filings.statistics import LEAD_KINDS, Statistics, lead_figures_by
from ipfed.registry.identifiers import PROVINCES, region_name

YEAR = 2024
SOURCES = ("淘宝", "京东", "拼多多", "抖音", "快手", "闲鱼", "广交会", "进博会")


def generate_leads(count: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(f"{YEAR}-01-01", tz="Asia/Shanghai").tz_convert("UTC")
    seconds = rng.integers(0, 366 * 86400, count)
    found = start + pd.to_timedelta(seconds, unit="s")
    statuses = np.array(["suspected", "needs_info", "confirmed", "rejected"])
    status = statuses[rng.choice(4, count, p=[0.15, 0.05, 0.5, 0.3])]
    review = pd.to_timedelta(rng.gamma(2.0, 600.0, count), unit="s")
    leads = pd.DataFrame(
        {
            "lead_id": np.arange(count).astype(str),
            "region": np.array(PROVINCES)[rng.integers(0, len(PROVINCES), count)],
            "kind": np.array(LEAD_KINDS)[rng.choice(4, count, p=[0.6, 0.2, 0.12, 0.08])],
            "source": np.array(SOURCES)[rng.integers(0, len(SOURCES), count)],
            "status": status,
            "found_at": found,
            "reviewed_at": (found + review).where(np.isin(status, ["confirmed", "rejected"])),
        }
    )
    leads["month"] = leads["found_at"].dt.tz_convert("Asia/Shanghai").dt.month
    return leads


def national_node(folder: Path) -> tuple[NodeSettings, dict[str, tuple[object, object]]]:
    """A national node with its identity, and every province's key and certificate."""
    authority = CertificateAuthority.create()
    keys = {}
    for code in ("100000", *PROVINCES):
        role = Role.NATIONAL if code == "100000" else Role.REGIONAL
        name = "国家知识产权局" if code == "100000" else f"{region_name(code)}知识产权局"
        key = generate_key()
        keys[code] = (key, authority.issue(Organisation(name, role, code), key.public_key()))
    bundle = TrustBundle(authority.certificate, [c for _, c in keys.values()])
    settings = NodeSettings(
        node_id="national",
        role="national",
        region_code="100000",
        org_name="国家知识产权局",
        data_dir=folder,
    )
    settings.identity_dir.mkdir(parents=True)
    key, certificate = keys["100000"]
    write_private_key(settings.identity_dir / "org.key", key)  # type: ignore[arg-type]
    write_certificate(settings.identity_dir / "org.pem", certificate)  # type: ignore[arg-type]
    (settings.identity_dir / "trust-bundle.json").write_text(bundle.to_json(), encoding="utf-8")
    return settings, keys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=1_000_000)
    args = parser.parse_args()

    began = time.perf_counter()
    leads = generate_leads(args.leads)
    generate_s = time.perf_counter() - began
    print(f"generated {len(leads):,} leads in {generate_s:.2f} s")

    began = time.perf_counter()
    figures = {
        (str(region), int(str(month))): Statistics(leads=lead)
        for (region, month), lead in lead_figures_by(leads, ["region", "month"]).items()
    }
    statistics_s = time.perf_counter() - began
    print(f"built {len(figures)} monthly reports' figures in {statistics_s:.2f} s")

    with tempfile.TemporaryDirectory() as folder:
        settings, keys = national_node(Path(folder) / "national")
        engine = make_engine(settings.db_url)
        upgrade(engine)
        sessions = make_session_factory(engine)

        began = time.perf_counter()
        now = utcnow()
        signed = []
        for (region, month), statistics in figures.items():
            key, certificate = keys[region]
            document = FilingDocument(
                filing_id=new_id(),
                region_code=region,
                office=f"{region_name(region)}知识产权局",
                kind=FilingKind.MONTHLY_REPORT,
                period=str(Period(YEAR, month=month)),
                version=1,
                title=f"{YEAR}年{month}月月度工作进展",
                statistics=statistics,
                sections={"progress": "按计划推进。", "problems": "无", "next_month": "继续。"},
                typical_cases=[],
                signed_at=now,
            )
            signed.append(SignedFiling.create(document, key, certificate))  # type: ignore[arg-type]
        sign_s = time.perf_counter() - began

        began = time.perf_counter()
        for filing in signed:
            with transaction(sessions) as db:
                receive_filing(
                    db=db,
                    settings=settings,
                    filing=SignedFiling.from_bytes(filing.to_bytes()),
                    now=utcnow(),
                )
        receive_s = time.perf_counter() - began
        print(
            f"signed {len(signed)} filings in {sign_s:.2f} s; national node verified, stored "
            f"and recorded them in {receive_s:.2f} s"
        )

        began = time.perf_counter()
        with transaction(sessions) as db:
            months = [
                national_report(
                    db=db,
                    calendar=DEFAULT_CALENDAR,
                    kind=FilingKind.MONTHLY_REPORT,
                    period=Period(YEAR, month=m),
                    now=now,
                )
                for m in range(1, 13)
            ]
        consolidate_s = time.perf_counter() - began
        total = sum(int(c.table["leads.total"].sum()) for c in months)
        assert total == args.leads, (total, args.leads)
        assert all(c.filed == len(PROVINCES) for c in months)
        print(
            f"consolidated 12 months x {len(PROVINCES)} provinces in {consolidate_s:.2f} s "
            f"({total:,} leads in the tables)"
        )

        began = time.perf_counter()
        december = months[-1]
        sizes = {
            "csv": len(report.to_csv(december)),
            "xlsx": len(report.to_xlsx(december)),
            "html": len(report.to_html(december).encode()),
        }
        report_s = time.perf_counter() - began
        print(
            f"rendered December's report (CSV, XLSX, HTML with 4 charts) in {report_s:.2f} s: "
            + ", ".join(f"{k} {v:,} B" for k, v in sizes.items())
        )
        engine.dispose()

    build_and_consolidate_s = statistics_s + consolidate_s + report_s
    print(
        f"from 1,000,000 leads to the consolidated report: {build_and_consolidate_s:.2f} s "
        "(target <= 10 s)"
    )
    print(
        json.dumps(
            {
                "leads": args.leads,
                "reports": len(figures),
                "generate_leads_s": round(generate_s, 3),
                "build_figures_s": round(statistics_s, 3),
                "sign_s": round(sign_s, 3),
                "receive_verify_store_anchor_s": round(receive_s, 3),
                "receive_ms_per_filing": round(receive_s * 1000 / len(signed), 2),
                "consolidate_12_months_s": round(consolidate_s, 3),
                "render_report_s": round(report_s, 3),
                "build_and_consolidate_s": round(build_and_consolidate_s, 3),
                "end_to_end_s": round(build_and_consolidate_s + sign_s + receive_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
