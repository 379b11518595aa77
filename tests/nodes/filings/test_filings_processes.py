"""A real national node process receives Shanghai's filing over HTTP, sent with the
``ipfed filings`` commands, refuses a tampered one, and builds the national report."""

import json
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from processes import free_port, ipfed, make_node, running

from ipfed.ledger.canonical import canonical_bytes
from ipfed.ledger.identity import Role
from ipfed.ledger.keystore import AuthorityDirectory
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeRole, NodeSettings, Peer
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction, utcnow
from ipfed.nodes.filings.calendar import Granularity, Period, china_today

pytestmark = pytest.mark.integration


def test_filings_commands_against_a_national_node_process(tmp_path: Path) -> None:
    authority = AuthorityDirectory.create(tmp_path / "ca")
    quiet = {"ledger_sync_seconds": 0, "marks_follow_seconds": 0, "filings_round_seconds": 0}
    national = NodeSettings(
        node_id="national",
        role="national",
        region_code="100000",
        org_name="国家知识产权局",
        data_dir=tmp_path / "national",
        http_port=free_port(),
        **quiet,
    )
    make_node(national, authority)
    with transaction(make_session_factory(make_engine(national.db_url))) as db:
        _, sh_key = create_api_key(db=db, org="上海市知识产权局", role=Role.REGIONAL)
    sh = NodeSettings(
        node_id="sh",
        role="regional",
        region_code="310000",
        org_name="上海市知识产权局",
        data_dir=tmp_path / "sh",
        peers=[
            Peer(
                node_id="national",
                role=NodeRole.NATIONAL,
                region_code="100000",
                api_url=national.base_url,
                exchange_endpoint="tcp://127.0.0.1:7100",
                api_key=sh_key,
            )
        ],
        **quiet,
    )
    make_node(sh, authority)
    for node in (national, sh):
        (node.identity_dir / "trust-bundle.json").write_text(
            authority.bundle().to_json(), encoding="utf-8"
        )
    period = str(Period.of(Granularity.MONTH, china_today(utcnow())).previous())
    sh_dir, national_dir = ("-d", str(sh.data_dir)), ("-d", str(national.data_dir))

    created = ipfed("filings", "create", "monthly_report", period, *sh_dir)
    assert created.returncode == 0, created.stderr
    filing_id = created.stdout.split()[1].rstrip(":")
    undelivered = ipfed("filings", "submit", filing_id, *sh_dir)
    assert undelivered.returncode == 2 and "incomplete_filing" in undelivered.stderr
    (tmp_path / "progress.txt").write_text("开展电商平台专项检查。", encoding="utf-8")
    filled = ipfed(
        "filings", "fill", filing_id,
        "--section-file", f"progress={tmp_path / 'progress.txt'}",
        "--section", "problems=无", "--section", "next_month=继续巡查。",
        *sh_dir,
    )  # fmt: skip
    assert filled.returncode == 0 and "saved" in filled.stdout, filled.stderr
    preview = ipfed("filings", "preview", filing_id, "--html", str(tmp_path / "p.html"), *sh_dir)
    assert "开展电商平台专项检查" in preview.stdout and (tmp_path / "p.html").exists()

    with running(national):
        submitted = ipfed("filings", "submit", filing_id, *sh_dir)
        assert submitted.returncode == 0, submitted.stderr
        assert "acknowledged" in submitted.stdout
        receipts = ipfed("filings", "receipts", *sh_dir)
        assert filing_id in receipts.stdout and "国家知识产权局" in receipts.stdout

        signed = json.loads(ipfed("filings", "list", *sh_dir).stdout and _signed(sh, filing_id))
        signed["document"]["filing_id"] = filing_id[:-1] + ("0" if filing_id[-1] != "0" else "1")
        signed["document"]["title"] = "篡改"
        refused = httpx.post(
            f"{national.base_url}/filings/received",
            content=canonical_bytes(signed),
            headers={"X-API-Key": sh_key, "Content-Type": "application/json"},
        )
        assert refused.status_code == 422 and refused.json()["error"] == "tampered"

    built = ipfed("filings", "report", period, "--out", str(tmp_path / "out"), *national_dir)
    assert built.returncode == 0, built.stderr
    assert "1 of 31 provinces filed" in built.stdout and "北京市" in built.stdout
    workbook = load_workbook(tmp_path / "out" / f"filings-monthly_report-{period}.xlsx")
    assert workbook.sheetnames == ["汇总", "环比", "地区比较", "未报送"]
    assert workbook["未报送"].max_row == 1 + 30
    html = (tmp_path / "out" / f"filings-monthly_report-{period}.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 4
    calendar = ipfed("filings", "calendar", *national_dir)
    assert "上海市" in calendar.stdout and "filed" in calendar.stdout


def _signed(settings: NodeSettings, filing_id: str) -> str:
    from ipfed.nodes.filings.models import Filing

    with transaction(make_session_factory(make_engine(settings.db_url))) as db:
        filing = db.get(Filing, filing_id)
        assert filing is not None and filing.signed is not None
        return filing.signed.decode()
