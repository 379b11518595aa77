"""Federation identities: certificates carry role and region; the trust bundle
vouches for them offline and refuses what the root did not sign or has revoked."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from typer.testing import CliRunner

from ipfed.ledger.identity import (
    BadSignature,
    CertificateAuthority,
    Organisation,
    Role,
    UntrustedIdentity,
    generate_key,
    organisation_of,
    sign,
    verify_signature,
)
from ipfed.ledger.keystore import read_certificate, read_private_key
from ipfed.ledger.trust import TrustBundle, key_id
from ipfed.nodes.cli import app

SHANGHAI = Organisation("上海市知识产权局", Role.REGIONAL, "310000")


@pytest.fixture(scope="module")
def authority() -> CertificateAuthority:
    return CertificateAuthority.create()


@pytest.mark.parametrize("algorithm", ["ecdsa-p256", "ed25519"])
def test_signatures(algorithm: str) -> None:
    key = generate_key(algorithm)  # type: ignore[arg-type]
    signature = sign(key, b"lead 01J")
    verify_signature(key.public_key(), b"lead 01J", signature)
    with pytest.raises(BadSignature):
        verify_signature(key.public_key(), b"lead 01K", signature)
    with pytest.raises(BadSignature):
        verify_signature(generate_key(algorithm).public_key(), b"lead 01J", signature)  # type: ignore[arg-type]


def test_certificates_carry_role_and_region(authority: CertificateAuthority) -> None:
    certificate = authority.issue(SHANGHAI, generate_key().public_key())
    assert organisation_of(certificate) == SHANGHAI
    with pytest.raises(UntrustedIdentity):
        organisation_of(authority.certificate)  # the root is no organisation


def test_the_bundle_vouches_only_for_its_root(authority: CertificateAuthority) -> None:
    key = generate_key("ed25519")
    mine = authority.issue(SHANGHAI, key.public_key())
    bundle = TrustBundle.from_json(TrustBundle(authority.certificate, [mine]).to_json())
    assert bundle.verify(key_id(mine), b"x", sign(key, b"x")) == SHANGHAI
    with pytest.raises(BadSignature):
        bundle.verify(key_id(mine), b"y", sign(key, b"x"))

    rogue = CertificateAuthority.create().issue(SHANGHAI, key.public_key())
    with pytest.raises(UntrustedIdentity) as raised:
        bundle.organisation(rogue)
    assert raised.value.code == "unknown_issuer"
    with pytest.raises(UntrustedIdentity):
        TrustBundle(authority.certificate, [rogue])
    with pytest.raises(UntrustedIdentity) as raised:
        bundle.verify("00" * 32, b"x", sign(key, b"x"))
    assert raised.value.code == "unknown_signer"


def test_revoked_and_expired_certificates(authority: CertificateAuthority) -> None:
    key = generate_key()
    certificate = authority.issue(SHANGHAI, key.public_key())
    revoked = {certificate.serial_number: datetime.now(UTC)}
    bundle = TrustBundle(authority.certificate, [certificate], authority.revocation_list(revoked))
    with pytest.raises(UntrustedIdentity) as raised:
        bundle.verify(key_id(certificate), b"x", sign(key, b"x"))
    assert raised.value.code == "revoked_certificate"

    fine = TrustBundle(authority.certificate, [certificate])
    with pytest.raises(UntrustedIdentity) as raised:
        fine.organisation(certificate, at=datetime.now(UTC) + timedelta(days=3000))
    assert raised.value.code == "expired_certificate"

    forged = CertificateAuthority.create().revocation_list({})
    with pytest.raises(UntrustedIdentity):
        TrustBundle(authority.certificate, [certificate], forged)


def test_ca_commands(tmp_path: Path) -> None:
    runner = CliRunner()

    def ipfed(*args: str | Path) -> tuple[int, str]:
        result = runner.invoke(app, [str(a) for a in args])
        return result.exit_code, result.output

    assert ipfed("ca", "init", "-d", tmp_path)[0] == 0
    assert "[authority_exists]" in ipfed("ca", "init", "-d", tmp_path)[1]
    code, output = ipfed(
        "ca",
        "issue",
        "-d",
        tmp_path,
        "--org",
        "浙江省知识产权局",
        "--role",
        "regional",
        "--region",
        "330000",
        "--out",
        tmp_path / "zj",
    )
    assert code == 0, output
    certificate = read_certificate(tmp_path / "zj" / "org.pem")
    assert organisation_of(certificate).region_code == "330000"
    key = read_private_key(tmp_path / "zj" / "org.key")
    assert (tmp_path / "zj" / "org.key").stat().st_mode & 0o077 == 0

    code, output = ipfed(
        "ca",
        "issue",
        "-d",
        tmp_path,
        "--org",
        "x",
        "--role",
        "regional",
        "--region",
        "339999",
        "--out",
        tmp_path / "x",
    )
    assert code == 2 and "GB/T 2260" in output

    assert ipfed("ca", "bundle", "-d", tmp_path, "--out", tmp_path / "bundle.json")[0] == 0
    bundle = TrustBundle.from_json((tmp_path / "bundle.json").read_text(encoding="utf-8"))
    assert bundle.verify(key_id(certificate), b"m", sign(key, b"m")).name == "浙江省知识产权局"

    assert ipfed("ca", "revoke", "-d", tmp_path, f"{certificate.serial_number:x}")[0] == 0
    assert ipfed("ca", "revoke", "-d", tmp_path, "abc")[0] == 2
    ipfed("ca", "bundle", "-d", tmp_path, "--out", tmp_path / "bundle.json")
    bundle = TrustBundle.from_json((tmp_path / "bundle.json").read_text(encoding="utf-8"))
    with pytest.raises(UntrustedIdentity):
        bundle.verify(key_id(certificate), b"m", sign(key, b"m"))
    assert isinstance(bundle.root, x509.Certificate)
