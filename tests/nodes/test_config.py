from pathlib import Path

import pytest
from pydantic import ValidationError

from ipfed.nodes.config import NodeRole, NodeSettings, Peer


def test_defaults_put_the_database_in_the_data_directory(tmp_path: Path) -> None:
    settings = NodeSettings(node_id="zj", role="regional", region_code="330000", data_dir=tmp_path)
    assert settings.db_url == f"sqlite:///{tmp_path.resolve() / 'node.db'}"
    assert settings.ledger_backend == "embedded"
    assert settings.base_url == "http://127.0.0.1:8000"


def test_file_then_environment_then_explicit_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    peer = Peer(
        node_id="national",
        role=NodeRole.NATIONAL,
        region_code="100000",
        api_url="http://127.0.0.1:8000",
        exchange_endpoint="tcp://127.0.0.1:7100",
    )
    written = NodeSettings(
        node_id="sh", role="regional", region_code="310000", http_port=8101, peers=[peer]
    )
    (tmp_path / "node.toml").write_text(written.to_toml(), encoding="utf-8")

    loaded = NodeSettings.load(tmp_path)
    assert loaded.http_port == 8101 and loaded.peers == [peer]
    assert loaded.data_dir == tmp_path

    monkeypatch.setenv("IPFED_HTTP_PORT", "8202")
    assert NodeSettings.load(tmp_path).http_port == 8202
    assert NodeSettings.load(tmp_path, http_port=8303).http_port == 8303


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"region_code": "310001"}, "GB/T 2260"),
        ({"region_code": "100000"}, "national node"),
        ({"role": "national"}, "national node"),
        ({"node_id": "Shanghai Node"}, "pattern"),
        ({"http_port": 70000}, "less than or equal"),
        ({"ledger_backend": "paper"}, "ledger backend 'paper' is not implemented"),
        ({"ledger_backend": "fabric"}, "ledger backend 'fabric' is not implemented"),
        ({"exchange_endpoint": "http://127.0.0.1:7100"}, "pattern"),
    ],
)
def test_invalid_settings_are_refused(changes: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"node_id": "sh", "role": "regional", "region_code": "310000"}
    with pytest.raises(ValidationError, match=message):
        NodeSettings(**{**values, **changes})


def test_an_unimplemented_ledger_backend_is_refused_from_the_node_s_file(tmp_path: Path) -> None:
    written = NodeSettings(node_id="sh", role="regional", region_code="310000")
    toml = written.to_toml() + 'ledger_backend = "fabric"\n'
    (tmp_path / "node.toml").write_text(toml.replace('ledger_backend = "embedded"\n', ""))
    with pytest.raises(ValidationError, match="runs on: embedded"):
        NodeSettings.load(tmp_path)
