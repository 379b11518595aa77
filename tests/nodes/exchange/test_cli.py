"""``ipfed exchange``: send, outbox, dead letters, retry, give up, inbox, links."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from typer.testing import CliRunner
from ulid import ULID

from ipfed.exchange.messages import Lead, LeadKind, LeadPush
from ipfed.ledger.keystore import write_certificate
from ipfed.nodes.cli import app
from ipfed.nodes.config import NodeSettings, Peer

runner = CliRunner()


def ipfed(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})
    return result.exit_code, result.output


def make_node(tmp_path: Path, offices: Any) -> Path:
    folder = tmp_path / "sh"
    code, output = ipfed(
        "node", "init", "-d", folder, "--node-id", "sh", "--role", "regional",
        "--region", "310000", "--org-name", "上海市知识产权局",
    )  # fmt: skip
    assert code == 0, output
    settings = NodeSettings.load(folder).model_copy(
        update={
            "peers": [
                Peer(
                    node_id="national",
                    role="national",
                    region_code="100000",
                    api_url="http://127.0.0.1:9",
                    exchange_endpoint="tcp://127.0.0.1:9",
                )
            ]
        }
    )
    settings.save()
    key, certificate = offices.keys["上海市知识产权局"]
    settings.identity_dir.mkdir()
    (settings.identity_dir / "org.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    write_certificate(settings.identity_dir / "org.pem", certificate)
    (settings.identity_dir / "trust-bundle.json").write_text(offices.bundle().to_json())
    return folder


def test_send_follow_give_up_and_retry(tmp_path: Path, offices: Any) -> None:
    node = make_node(tmp_path, offices)
    lead = Lead(
        lead_id=str(ULID()),
        kind=LeadKind.PATENT_MARKING,
        right_id="ZL202020556601.1",
        score=Decimal("0.8"),
        reasons=["the patent number on the listing belongs to another product"],
        seller="上海浦东数码配件城有限公司",
        jurisdiction="310115",
        evidence_sha256="0f" * 32,
    )
    message = tmp_path / "lead.json"
    message.write_text(
        json.dumps({"type": "lead.push", "body": LeadPush(lead=lead).model_dump(mode="json")}),
        encoding="utf-8",
    )
    code, output = ipfed("exchange", "send", message, "-d", node)
    assert code == 0, output
    assert "lead.push to 上海市市场监督管理局" in output
    assert "lead.record to 国家知识产权局" in output
    record_id = output.split("queued ")[2].split()[0]

    code, output = ipfed("exchange", "outbox", "-d", node)
    assert code == 0 and "sh: pending" in output and "national: pending" in output
    code, output = ipfed("exchange", "links", "-d", node)
    assert code == 0 and "national" in output and "unknown" in output  # its key not learnt yet

    code, output = ipfed("exchange", "give-up", record_id, "--reason", "filed on paper", "-d", node)
    assert code == 0, output
    code, output = ipfed("exchange", "outbox", "--dead", "-d", node)
    assert "[given_up] filed on paper" in output
    assert ipfed("exchange", "retry", record_id, "-d", node)[0] == 0
    code, output = ipfed("exchange", "retry", record_id, "-d", node)
    assert code == 2 and "[no_dead_letter]" in output
    code, output = ipfed("exchange", "inbox", "--refused", "-d", node)
    assert code == 0


def test_a_bad_message_file_is_refused_clearly(tmp_path: Path, offices: Any) -> None:
    node = make_node(tmp_path, offices)
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "lead.push", "body": {}}', encoding="utf-8")
    code, output = ipfed("exchange", "send", bad, "-d", node)
    assert code == 2 and "[invalid_message]" in output
