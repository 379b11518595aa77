"""The exchange's CURVE secret key at rest: encrypted (PKCS#8, X25519) when a key
passphrase is configured, refused without the right one, and a file written in clear
by an earlier release still loads."""

import stat
from pathlib import Path

import httpx
import pytest
import zmq
from processes import free_port, make_node, running

from ipfed.exchange.errors import ExchangeError
from ipfed.exchange.keys import CURVE_KEY_FILE, LinkKey, curve_keys
from ipfed.ledger.keystore import AuthorityDirectory
from ipfed.nodes.config import NodeSettings

PASSPHRASE = "长城 guards the link".encode()
ENCRYPTED = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"


def test_with_a_passphrase_the_key_is_encrypted_and_opens_again(tmp_path: Path) -> None:
    keys = curve_keys(tmp_path, PASSPHRASE)
    stored = (tmp_path / CURVE_KEY_FILE).read_bytes()
    assert stored.startswith(ENCRYPTED) and keys.secret not in stored
    assert stat.S_IMODE((tmp_path / CURVE_KEY_FILE).stat().st_mode) == 0o600
    assert curve_keys(tmp_path, PASSPHRASE) == keys
    assert zmq.curve_public(keys.secret) == keys.public


def test_a_wrong_or_missing_passphrase_is_refused_with_its_code(tmp_path: Path) -> None:
    curve_keys(tmp_path, PASSPHRASE)
    with pytest.raises(ExchangeError) as wrong:
        curve_keys(tmp_path, b"not the passphrase")
    assert wrong.value.code == "wrong_key_passphrase"
    with pytest.raises(ExchangeError) as missing:
        curve_keys(tmp_path)
    assert missing.value.code == "key_passphrase_missing"
    assert "IPFED_KEY_PASSPHRASE" in missing.value.message


def test_a_clear_key_of_an_earlier_release_still_loads(tmp_path: Path) -> None:
    public, secret = zmq.curve_keypair()
    (tmp_path / CURVE_KEY_FILE).write_bytes(secret)
    assert curve_keys(tmp_path, PASSPHRASE).public == public
    assert curve_keys(tmp_path).public == public
    assert curve_keys(tmp_path).secret == secret


def test_a_damaged_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / CURVE_KEY_FILE).write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot a key\n")
    with pytest.raises(ExchangeError) as refused:
        curve_keys(tmp_path)
    assert refused.value.code == "bad_link_key"


@pytest.mark.integration
def test_a_node_serves_its_link_with_the_passphrase_and_stops_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = NodeSettings(
        node_id="sh",
        role="regional",
        region_code="310000",
        org_name="上海市知识产权局",
        data_dir=tmp_path / "sh",
        http_port=free_port(),
        exchange_endpoint=f"tcp://127.0.0.1:{free_port()}",
    )
    authority = AuthorityDirectory.create(tmp_path / "ca")
    make_node(settings, authority)
    bundle = authority.bundle().to_json()
    (settings.identity_dir / "trust-bundle.json").write_text(bundle, encoding="utf-8")
    monkeypatch.delenv("IPFED_KEY_PASSPHRASE_FILE", raising=False)
    monkeypatch.setenv("IPFED_KEY_PASSPHRASE", PASSPHRASE.decode())
    with running(settings):
        link = LinkKey.model_validate_json(
            httpx.get(f"{settings.base_url}/exchange/link-key").content
        )
    assert (settings.identity_dir / CURVE_KEY_FILE).read_bytes().startswith(ENCRYPTED)
    assert link.curve_key == curve_keys(settings.identity_dir, PASSPHRASE).public.decode()

    monkeypatch.setenv("IPFED_KEY_PASSPHRASE", "not the passphrase")
    with pytest.raises(AssertionError, match=r"\[wrong_key_passphrase\]"), running(settings):
        pass
