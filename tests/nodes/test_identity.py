"""The node's identity on disk: the trust bundle is read again when its file
changes, and a file that does not read as a bundle leaves the one in use."""

import logging
from pathlib import Path

import pytest

from ipfed.ledger.identity import (
    CertificateAuthority,
    Organisation,
    Role,
    UntrustedIdentity,
    generate_key,
)
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.identity import node_identity


def test_a_new_trust_bundle_is_taken_and_a_broken_one_is_not(
    settings: NodeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    authority = CertificateAuthority.create()
    key = generate_key()
    certificate = authority.issue(
        Organisation("上海市知识产权局", Role.REGIONAL, "310000"), key.public_key()
    )
    settings.identity_dir.mkdir()
    write_private_key(settings.identity_dir / "org.key", key)
    write_certificate(settings.identity_dir / "org.pem", certificate)
    bundle_file: Path = settings.identity_dir / "trust-bundle.json"
    bundle_file.write_text(TrustBundle(authority.certificate, [certificate]).to_json())

    first = node_identity(settings)
    assert node_identity(settings) is first  # the same file is not read again
    first.bundle.organisation(certificate)

    crl = authority.revocation_list({certificate.serial_number: certificate.not_valid_before_utc})
    revoked = TrustBundle(authority.certificate, [certificate], crl).to_json()
    bundle_file.write_text(revoked[: len(revoked) // 2])  # caught half written
    with caplog.at_level(logging.WARNING, logger="ipfed.nodes.identity"):
        assert node_identity(settings) is first
    assert "the new trust bundle is not used" in caplog.text
    bundle_file.unlink()
    assert node_identity(settings) is first

    bundle_file.write_text(revoked)
    second = node_identity(settings)
    assert (second.key, second.certificate) == (first.key, first.certificate)
    with pytest.raises(UntrustedIdentity) as refused:
        second.bundle.organisation(certificate)
    assert refused.value.code == "revoked_certificate"
    assert node_identity(settings) is second
