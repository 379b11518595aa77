"""Secrets at rest: the node's folders are owner-only from the start, and private keys
are encrypted when a passphrase is configured and refused without the right one."""

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import ipfed as ipfed_process
from typer.testing import CliRunner

from ipfed.ledger.keystore import AuthorityDirectory
from ipfed.nodes.cli import app
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.errors import ConfigurationError
from ipfed.nodes.identity import node_identity
from ipfed.nodes.secrets import keep_folder_private

runner = CliRunner()
PASSPHRASE = "长城 guards the keys"
ENCRYPTED = "-----BEGIN ENCRYPTED PRIVATE KEY-----"


def ipfed(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def lax_umask(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A umask that leaves new files world-readable, as on most systems."""
    monkeypatch.delenv("IPFED_KEY_PASSPHRASE", raising=False)
    monkeypatch.delenv("IPFED_KEY_PASSPHRASE_FILE", raising=False)
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def init_node(data_dir: Path) -> None:
    code, output = ipfed(
        "node", "init", "-d", data_dir, "--node-id", "sh", "--role", "regional",
        "--region", "310000", "--org-name", "上海市知识产权局",
    )  # fmt: skip
    assert code == 0, output


def test_node_init_makes_everything_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "sh"
    data_dir.mkdir(mode=0o755)  # an existing folder is tightened too
    init_node(data_dir)
    assert mode(data_dir) == 0o700
    files = [p for p in data_dir.iterdir() if p.is_file()]
    assert {"node.toml", "node.db"} <= {p.name for p in files}
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_ca_init_and_issue_are_owner_only(tmp_path: Path) -> None:
    code, output = ipfed("ca", "init", "-d", tmp_path)
    assert code == 0, output
    out = tmp_path / "sh" / "identity"
    code, output = ipfed(
        "ca", "issue", "--org", "上海市知识产权局", "--role", "regional",
        "--region", "310000", "--out", out, "-d", tmp_path,
    )  # fmt: skip
    assert code == 0, output
    for folder in (tmp_path / "ca", tmp_path / "ca" / "issued", out):
        assert mode(folder) == 0o700, folder
    written = [*(tmp_path / "ca").rglob("*.*"), out / "org.key", out / "org.pem"]
    assert {p: mode(p) for p in written if p.is_file()} == {
        p: 0o600 for p in written if p.is_file()
    }


def test_everything_the_command_writes_is_owner_only(tmp_path: Path) -> None:
    assert ipfed_process("ca", "init", "-d", str(tmp_path)).returncode == 0
    bundle = tmp_path / "trust-bundle.json"
    assert ipfed_process("ca", "bundle", "--out", str(bundle), "-d", str(tmp_path)).returncode == 0
    assert mode(bundle) == 0o600


def test_keys_are_encrypted_and_refused_without_the_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IPFED_KEY_PASSPHRASE", PASSPHRASE)
    assert ipfed("ca", "init", "-d", tmp_path)[0] == 0
    assert (tmp_path / "ca" / "root.key").read_text().startswith(ENCRYPTED)
    settings = NodeSettings(
        node_id="sh", role="regional", region_code="310000", data_dir=tmp_path / "sh"
    )
    issue = ("ca", "issue", "--org", "上海市知识产权局", "--role", "regional", "--region", "310000")
    code, output = ipfed(*issue, "--out", settings.identity_dir, "-d", tmp_path)
    assert code == 0, output
    assert (settings.identity_dir / "org.key").read_text().startswith(ENCRYPTED)
    bundle = AuthorityDirectory(tmp_path / "ca", PASSPHRASE.encode()).bundle()
    (settings.identity_dir / "trust-bundle.json").write_text(bundle.to_json(), encoding="utf-8")
    assert node_identity(settings).certificate is not None

    monkeypatch.setenv("IPFED_KEY_PASSPHRASE", "not the passphrase")
    code, output = ipfed(*issue, "--out", tmp_path / "other", "-d", tmp_path)
    assert code == 2 and "[wrong_key_passphrase]" in output
    with pytest.raises(ConfigurationError) as refused:
        node_identity(settings)
    assert refused.value.code == "wrong_key_passphrase"

    monkeypatch.delenv("IPFED_KEY_PASSPHRASE")
    code, output = ipfed(*issue, "--out", tmp_path / "other", "-d", tmp_path)
    assert code == 2 and "[key_passphrase_missing]" in output
    with pytest.raises(ConfigurationError) as refused:
        node_identity(settings)
    assert refused.value.code == "key_passphrase_missing"
    assert "IPFED_KEY_PASSPHRASE" in refused.value.message


def test_a_key_written_before_a_passphrase_was_set_still_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ipfed("ca", "init", "-d", tmp_path)[0] == 0
    monkeypatch.setenv("IPFED_KEY_PASSPHRASE", PASSPHRASE)
    assert AuthorityDirectory(tmp_path / "ca", PASSPHRASE.encode()).issued() == []


def test_a_node_folder_open_to_others_is_closed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # `node run` does this for folders made by an earlier release.
    folder = tmp_path / "old-node"
    folder.mkdir(mode=0o755)
    keep_folder_private(folder)
    assert mode(folder) == 0o700 and "now owner-only" in caplog.text


def test_a_node_does_not_start_without_its_key_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "sh"
    init_node(data_dir)
    monkeypatch.setenv("IPFED_KEY_PASSPHRASE", PASSPHRASE)
    assert ipfed("ca", "init", "-d", tmp_path)[0] == 0
    code, output = ipfed(
        "ca", "issue", "--org", "上海市知识产权局", "--role", "regional",
        "--region", "310000", "--out", data_dir / "identity", "-d", tmp_path,
    )  # fmt: skip
    assert code == 0, output
    monkeypatch.delenv("IPFED_KEY_PASSPHRASE")
    started = ipfed_process("node", "run", "-d", str(data_dir))
    assert started.returncode == 2 and "[key_passphrase_missing]" in started.stderr
