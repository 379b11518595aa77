"""The trust bundle: what a platform, fair or node loads to verify anything the
federation signs, offline. Root certificate, organisation certificates and CRL."""

import hashlib
import json
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from ipfed.ledger.errors import MalformedData
from ipfed.ledger.identity import (
    Organisation,
    PublicKey,
    UntrustedIdentity,
    node_url_of,
    organisation_of,
    verify_signature,
)


def key_id(certificate: x509.Certificate) -> str:
    """Hex SHA-256 of the certificate's public key (SubjectPublicKeyInfo DER)."""
    spki = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).hexdigest()


class TrustBundle:
    def __init__(
        self,
        root: x509.Certificate,
        certificates: list[x509.Certificate],
        crl: x509.CertificateRevocationList | None = None,
    ) -> None:
        self.root = root
        if crl is not None and not crl.is_signature_valid(root.public_key()):  # type: ignore[arg-type]
            raise UntrustedIdentity("the CRL is not signed by the root", code="bad_crl")
        self.crl = crl
        self.revoked = {r.serial_number for r in crl} if crl is not None else set()
        self.by_key_id: dict[str, x509.Certificate] = {}
        # Checked once here, so that verifying a signature costs one signature check.
        self._organisations: dict[str, Organisation] = {}
        for certificate in certificates:
            self._check_issued(certificate)
            known = key_id(certificate)
            self.by_key_id[known] = certificate
            self._organisations[known] = organisation_of(certificate)

    def node_url(self, signer_key_id: str) -> str | None:
        """The node URL the organisation's certificate names: where its status lists are
        fetched from. None for certificates issued without one."""
        certificate = self.by_key_id.get(signer_key_id)
        return node_url_of(certificate) if certificate is not None else None

    def node_urls(self) -> set[str]:
        """Every node URL the bundle names."""
        return {url for url in map(node_url_of, self.by_key_id.values()) if url is not None}

    def _check_issued(self, certificate: x509.Certificate) -> None:
        try:
            certificate.verify_directly_issued_by(self.root)
        except (ValueError, TypeError, InvalidSignature) as exc:
            raise UntrustedIdentity(
                f"certificate {certificate.serial_number:x} is not issued by the federation root",
                code="unknown_issuer",
            ) from exc

    def organisation(
        self, certificate: x509.Certificate, at: datetime | None = None
    ) -> Organisation:
        """Who ``certificate`` belongs to, if the federation vouches for it at ``at``."""
        if self.by_key_id.get(key_id(certificate)) != certificate:  # bundled ones are checked
            self._check_issued(certificate)
        return self._vouch(certificate, organisation_of(certificate), at)

    def _vouch(
        self, certificate: x509.Certificate, organisation: Organisation, at: datetime | None
    ) -> Organisation:
        when = at or datetime.now(UTC)
        if not certificate.not_valid_before_utc <= when <= certificate.not_valid_after_utc:
            raise UntrustedIdentity(
                "the certificate is not valid at that time", code="expired_certificate"
            )
        if certificate.serial_number in self.revoked:
            raise UntrustedIdentity("the certificate has been revoked", code="revoked_certificate")
        return organisation

    def verify(
        self, signer_key_id: str, message: bytes, signature: bytes, at: datetime | None = None
    ) -> Organisation:
        """Check a signature by the organisation whose key has ``signer_key_id``."""
        certificate = self.by_key_id.get(signer_key_id)
        if certificate is None:
            raise UntrustedIdentity(
                f"no organisation has key {signer_key_id[:16]}…", code="unknown_signer"
            )
        organisation = self._vouch(certificate, self._organisations[signer_key_id], at)
        public_key: PublicKey = certificate.public_key()  # type: ignore[assignment]
        verify_signature(public_key, message, signature)
        return organisation

    # --- file form: one JSON document of PEM texts ---------------------------

    def to_json(self) -> str:
        pem = serialization.Encoding.PEM
        return json.dumps(
            {
                "root": self.root.public_bytes(pem).decode(),
                "certificates": [c.public_bytes(pem).decode() for c in self.by_key_id.values()],
                "crl": self.crl.public_bytes(pem).decode() if self.crl is not None else None,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> "TrustBundle":
        try:
            data = json.loads(text)
            root = x509.load_pem_x509_certificate(data["root"].encode())
            certificates = [
                x509.load_pem_x509_certificate(c.encode()) for c in data["certificates"]
            ]
            crl = x509.load_pem_x509_crl(data["crl"].encode()) if data.get("crl") else None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MalformedData(f"not a trust bundle: {exc}") from None
        return cls(root, certificates, crl)
