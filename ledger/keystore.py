"""Keys and certificates on disk, and the root CA's directory.

ca/root.key        the root's private key (PEM, owner-only)
ca/root.pem        the root certificate
ca/issued/*.pem    every certificate it issued, by serial number
ca/revoked.json    revoked serial numbers and when
"""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ipfed.ledger.errors import LedgerError, MalformedData
from ipfed.ledger.identity import (
    Algorithm,
    CertificateAuthority,
    Organisation,
    PrivateKey,
    generate_key,
)
from ipfed.ledger.trust import TrustBundle

_ENCRYPTED_PEM = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"
# Codes of a key that cannot be opened for want of the right passphrase.
KEY_PASSPHRASE_MISSING = "key_passphrase_missing"
WRONG_KEY_PASSPHRASE = "wrong_key_passphrase"


def _write_owner_only(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def write_private_key(path: Path, key: PrivateKey, passphrase: bytes | None = None) -> None:
    """PKCS#8 PEM, owner-only; encrypted when a passphrase is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    _write_owner_only(path, data, exclusive=True)


def read_private_key(path: Path, passphrase: bytes | None = None) -> PrivateKey:
    """The key in ``path``, decrypted with ``passphrase`` if it is encrypted (a key
    written before a passphrase was configured still loads)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MalformedData(f"{path}: not a private key ({exc})") from None
    encrypted = data.lstrip().startswith(_ENCRYPTED_PEM)
    if encrypted and not passphrase:
        raise LedgerError(
            f"{path} is encrypted and no key passphrase is configured",
            code=KEY_PASSPHRASE_MISSING,
        )
    try:
        key = serialization.load_pem_private_key(data, password=passphrase if encrypted else None)
    except (ValueError, TypeError) as exc:
        if encrypted:
            raise LedgerError(
                f"{path}: the key passphrase is wrong (or the key is damaged)",
                code=WRONG_KEY_PASSPHRASE,
            ) from None
        raise MalformedData(f"{path}: not a private key ({exc})") from None
    return key  # type: ignore[return-value]


def write_certificate(path: Path, certificate: x509.Certificate) -> None:
    _write_owner_only(path, certificate.public_bytes(serialization.Encoding.PEM))


def read_certificate(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise MalformedData(f"{path}: not a certificate ({exc})") from None


class AuthorityDirectory:
    def __init__(self, path: Path, passphrase: bytes | None = None) -> None:
        if not (path / "root.key").exists():
            raise LedgerError(f"no certificate authority in {path}", code="no_authority")
        self.path = path
        self.authority = CertificateAuthority(
            read_certificate(path / "root.pem"), read_private_key(path / "root.key", passphrase)
        )

    @classmethod
    def create(
        cls, path: Path, algorithm: Algorithm = "ecdsa-p256", passphrase: bytes | None = None
    ) -> "AuthorityDirectory":
        """A new root CA in ``path`` (owner-only), its key encrypted with ``passphrase``."""
        if (path / "root.key").exists():
            raise LedgerError(
                f"{path} already holds a certificate authority", code="authority_exists"
            )
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        (path / "issued").mkdir(mode=0o700, exist_ok=True)
        authority = CertificateAuthority.create(algorithm=algorithm)
        write_private_key(path / "root.key", authority.key, passphrase)
        write_certificate(path / "root.pem", authority.certificate)
        _write_owner_only(path / "revoked.json", b"{}")
        return cls(path, passphrase)

    def issue(
        self,
        organisation: Organisation,
        algorithm: Algorithm = "ecdsa-p256",
        node_url: str | None = None,
    ) -> tuple[PrivateKey, x509.Certificate]:
        """A new key pair for ``organisation`` and its certificate (kept on record)."""
        key = generate_key(algorithm)
        certificate = self.authority.issue(organisation, key.public_key(), node_url=node_url)
        write_certificate(self.path / "issued" / f"{certificate.serial_number:x}.pem", certificate)
        return key, certificate

    def issued(self) -> list[x509.Certificate]:
        return [read_certificate(p) for p in sorted((self.path / "issued").glob("*.pem"))]

    def _revoked(self) -> dict[int, datetime]:
        data = json.loads((self.path / "revoked.json").read_text(encoding="utf-8"))
        return {int(serial, 16): datetime.fromisoformat(when) for serial, when in data.items()}

    def revoke(self, serial: int) -> None:
        if not (self.path / "issued" / f"{serial:x}.pem").exists():
            raise LedgerError(
                f"no certificate {serial:x} was issued here", code="unknown_certificate"
            )
        revoked = self._revoked()
        revoked.setdefault(serial, datetime.now(UTC))
        text = json.dumps({f"{s:x}": when.isoformat() for s, when in revoked.items()}, indent=2)
        _write_owner_only(self.path / "revoked.json", text.encode())

    def bundle(self) -> TrustBundle:
        crl = self.authority.revocation_list(self._revoked())
        return TrustBundle(self.authority.certificate, self.issued(), crl)
