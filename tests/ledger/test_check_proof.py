"""``ipfed ledger check-proof``: exit 0 verifies, 1 does not, 2 unreadable."""

from pathlib import Path

from typer.testing import CliRunner

from ipfed.nodes.cli import app

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "rfc9162-merkle"
runner = CliRunner()


def check(path: Path) -> int:
    return runner.invoke(app, ["ledger", "check-proof", str(path)]).exit_code


def test_exit_codes(tmp_path: Path) -> None:
    assert check(VECTORS / "inclusion" / "1" / "happy-path.json") == 0
    assert check(VECTORS / "consistency" / "2" / "happy-path.json") == 0
    assert check(VECTORS / "inclusion" / "1" / "random-root.json") == 1
    assert check(VECTORS / "consistency" / "2" / "truncated-proof.json") == 1
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", encoding="utf-8")
    assert check(garbage) == 2
    assert check(tmp_path / "missing.json") == 2
