"""The detection commands, run in-process on a node with its own SQLite file and a
federation identity: tasks, the stream, review, evidence export and offline check."""

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ipfed.ledger.ids import ULID_CHARACTERS
from ipfed.nodes.cli import app

SAMPLE = Path(__file__).resolve().parents[3] / "nodes" / "demo" / "sample"
runner = CliRunner()


def ipfed(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture
def node(tmp_path: Path) -> Path:
    data = tmp_path / "zj"
    commands = [
        (
            "node",
            "init",
            "-d",
            data,
            "--node-id",
            "zj",
            "--role",
            "regional",
            "--region",
            "330000",
            "--org-name",
            "浙江省知识产权局",
        ),
        ("ca", "init", "-d", tmp_path / "national"),
        (
            "ca",
            "issue",
            "-d",
            tmp_path / "national",
            "--org",
            "浙江省知识产权局",
            "--role",
            "regional",
            "--region",
            "330000",
            "--out",
            data / "identity",
        ),
        (
            "ca",
            "bundle",
            "-d",
            tmp_path / "national",
            "--out",
            data / "identity" / "trust-bundle.json",
        ),
    ]
    for kind in (
        "trademarks",
        "patents",
        "geographical-indications",
        "licences",
        "adjudications",
        "participants",
        "listings",
    ):
        commands.append(("import", kind, SAMPLE / f"{kind}.csv", "-d", data))
    for command in commands:
        code, output = ipfed(*command)
        assert code == 0, output
    return data


def test_a_task_then_review_then_evidence_that_verifies_offline(node: Path, tmp_path: Path) -> None:
    code, output = ipfed("detect", "run", "-d", node, "--nice-class", "30", "--nice-class", "8")
    assert code == 0, output
    assert "4 listings screened, 3 leads" in output  # S001, S002 and S005 (a patent number)

    code, output = ipfed("review", "queue", "-d", node)
    assert code == 0 and "1587423" in output and "8815527" in output
    lead = re.search(rf"\b({ULID_CHARACTERS})\b", output)
    assert lead is not None
    code, output = ipfed(
        "review",
        "decide",
        lead[1],
        "-d",
        node,
        "--decision",
        "confirm",
        "--reason",
        "look-alike characters on the same goods",
    )
    assert code == 0 and "confirmed" in output
    code, output = ipfed(
        "review",
        "decide",
        lead[1],
        "-d",
        node,
        "--decision",
        "reject",
        "--reason",
        "changed my mind",
    )
    assert code == 2 and "[lead_decided]" in output

    bundle = tmp_path / "evidence.json"
    assert ipfed("evidence", "export", lead[1], "--out", bundle, "-d", node)[0] == 0
    trust = node / "identity" / "trust-bundle.json"
    code, output = ipfed("evidence", "verify", bundle, "--trust", trust)
    assert code == 0 and "verifies" in output and "浙江省知识产权局" in output

    data = json.loads(bundle.read_text(encoding="utf-8"))
    data["receipt"]["position"] += 1
    (tmp_path / "moved.json").write_text(json.dumps(data), encoding="utf-8")
    assert ipfed("evidence", "verify", tmp_path / "moved.json", "--trust", trust)[0] == 1
    (tmp_path / "junk.json").write_text("{", encoding="utf-8")
    assert ipfed("evidence", "verify", tmp_path / "junk.json", "--trust", trust)[0] == 2

    code, output = ipfed("review", "stats", "-d", node, "--chart", tmp_path / "precision.png")
    assert code == 0 and "100.0%" in output
    assert (tmp_path / "precision.png").read_bytes()[:4] == b"\x89PNG"


def test_stream_screens_new_listings_once_and_resumes(node: Path, tmp_path: Path) -> None:
    code, output = ipfed("detect", "stream", "--once", "-d", node)
    assert code == 0 and "5 listings screened, 4 leads" in output
    more = tmp_path / "more.csv"
    more.write_text(
        "external_id,platform,title,seller,nice_class\n"
        "S100,taobao,娃娃哈 AD钙奶 220ml*24,饮品批发部,32\n",
        encoding="utf-8",
    )
    assert ipfed("import", "listings", more, "-d", node)[0] == 0
    code, output = ipfed("detect", "stream", "--once", "-d", node)
    assert code == 0 and "6 listings screened, 5 leads" in output  # only the new one screened

    code, output = ipfed("detect", "monitor", "-d", node, "--chart", tmp_path / "monitor.png")
    assert code == 0 and "key_trademarks" in output and "high_risk_enterprises" in output
    assert (tmp_path / "monitor.png").exists()


def test_a_rights_holder_scope_is_required_of_an_authority(node: Path) -> None:
    code, output = ipfed("detect", "run", "-d", node)
    assert code == 2 and "[scope_required]" in output
    code, output = ipfed("detect", "run", "-d", node, "--right", "9999999")
    assert code == 2 and "[right_not_found]" in output


def test_screen_refuses_malformed_input_and_writes_nothing(tmp_path: Path) -> None:
    rights = tmp_path / "rights"
    rights.mkdir()
    (rights / "marks.csv").write_text(
        "mark_id,name,nice_classes,holder\nM1,立白,3,立白集团\n", encoding="utf-8"
    )
    listings = tmp_path / "listings.csv"
    out = tmp_path / "out.csv"

    def screen() -> tuple[int, str]:
        return ipfed("screen", "--rights", rights, "--listings", listings, "--out", out)

    listings.write_text("listing_id,title,seller\nL1,立日 洗衣液,某店\n", encoding="utf-8")
    code, output = screen()
    assert code == 2 and "[malformed_file]" in output and "nice_class" in output
    listings.write_text(
        "listing_id,title,nice_class,seller\nL1,立日 洗衣液,3,某店\nL2,立日,46,某店\n",
        encoding="utf-8",
    )
    code, output = screen()
    assert code == 2 and "line 3: nice_class" in output
    assert not out.exists() and not list(tmp_path.glob(".out.csv*"))

    listings.write_text(
        "listing_id,title,nice_class,seller,description\n"
        "L1,立日 洗衣液,3,某店,x\n"
        "L2,立白,3,立白集团,\n",
        encoding="utf-8",
    )
    code, output = screen()
    assert code == 0, output
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("L1,trademark,M1,0.910,")

    (rights / "marks.csv").unlink()
    code, output = screen()
    assert code == 2 and "neither marks.csv nor patents.csv" in output
