"""Peers' API keys live in an owner-only secrets.toml or the environment, not in
node.toml; node.toml files that still hold them load, with a warning."""

import stat
from pathlib import Path

import pytest

from ipfed.nodes.config import NodeRole, NodeSettings, Peer
from ipfed.nodes.errors import ConfigurationError
from ipfed.nodes.secrets import key_passphrase

KEY = "ipf_national-key-of-the-shanghai-node"


def shanghai(data_dir: Path, api_key: str | None = KEY) -> NodeSettings:
    national = Peer(
        node_id="national",
        role=NodeRole.NATIONAL,
        region_code="100000",
        api_url="http://127.0.0.1:8000",
        exchange_endpoint="tcp://127.0.0.1:7100",
        api_key=api_key,
    )
    return NodeSettings(
        node_id="sh", role="regional", region_code="310000", data_dir=data_dir, peers=[national]
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_peer_keys_are_saved_apart_and_owner_only(tmp_path: Path) -> None:
    shanghai(tmp_path).save()
    assert KEY not in (tmp_path / "node.toml").read_text(encoding="utf-8")
    assert KEY in (tmp_path / "secrets.toml").read_text(encoding="utf-8")
    assert mode(tmp_path / "node.toml") == mode(tmp_path / "secrets.toml") == 0o600
    assert NodeSettings.load(tmp_path).peers[0].api_key == KEY


def test_the_environment_gives_a_peer_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shanghai(tmp_path, api_key=None).save()
    assert not (tmp_path / "secrets.toml").exists()
    assert NodeSettings.load(tmp_path).peers[0].api_key is None
    monkeypatch.setenv("IPFED_PEER_NATIONAL_API_KEY", "ipf_from-the-environment")
    assert NodeSettings.load(tmp_path).peers[0].api_key == "ipf_from-the-environment"


def test_a_key_left_in_node_toml_still_loads_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    written = shanghai(tmp_path, api_key=None).to_toml()
    written = written.replace('node_id = "national"', f'node_id = "national"\napi_key = "{KEY}"')
    (tmp_path / "node.toml").write_text(written, encoding="utf-8")
    assert NodeSettings.load(tmp_path).peers[0].api_key == KEY
    assert "holds the API key of peer national in clear" in caplog.text
    assert "IPFED_PEER_NATIONAL_API_KEY" in caplog.text
    assert KEY not in caplog.text


def test_the_key_passphrase_comes_from_the_environment_or_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IPFED_KEY_PASSPHRASE", raising=False)
    monkeypatch.delenv("IPFED_KEY_PASSPHRASE_FILE", raising=False)
    assert key_passphrase() is None
    (tmp_path / "passphrase").write_text("正确 horse\n", encoding="utf-8")
    monkeypatch.setenv("IPFED_KEY_PASSPHRASE_FILE", str(tmp_path / "passphrase"))
    assert key_passphrase() == "正确 horse".encode()
    monkeypatch.setenv("IPFED_KEY_PASSPHRASE", "from the environment")
    assert key_passphrase() == b"from the environment"
    monkeypatch.delenv("IPFED_KEY_PASSPHRASE")
    monkeypatch.setenv("IPFED_KEY_PASSPHRASE_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigurationError) as refused:
        key_passphrase()
    assert refused.value.code == "key_passphrase_unreadable"
