"""Link keys: each node's CURVE key pair for ZeroMQ, kept in its identity
directory, and the statement that binds the public half to the node's
federation certificate so that peers can learn it and trust it."""

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import zmq
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pydantic import AwareDatetime, Field
from zmq.utils import z85

from ipfed.exchange.errors import ExchangeError
from ipfed.ledger.identity import Organisation, PrivateKey, UntrustedIdentity
from ipfed.ledger.keystore import KEY_PASSPHRASE_MISSING, WRONG_KEY_PASSPHRASE
from ipfed.ledger.signed import SignedModel
from ipfed.ledger.transactions import SHA256_HEX
from ipfed.ledger.trust import TrustBundle, key_id

CURVE_KEY_FILE = "curve.key"  # the secret key; the public key is derived from it
Z85_KEY = r"^[0-9a-zA-Z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}$"
# With a passphrase the file is an encrypted PKCS#8 PEM of the X25519 key (CURVE's
# curve25519 secret is X25519's raw private key); without one, the Z85 text ZeroMQ writes.
_ENCRYPTED_PEM = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"
_PEM = b"-----BEGIN "


@dataclass(frozen=True)
class CurveKeys:
    public: bytes
    secret: bytes


def curve_keys(identity_dir: Path, passphrase: bytes | None = None) -> CurveKeys:
    """The node's CURVE key pair, created on first use (an owner-only file, encrypted
    with ``passphrase`` when one is given). A file written without a passphrase, as
    earlier releases did, still loads."""
    path = identity_dir / CURVE_KEY_FILE
    if not path.exists():
        _, secret = zmq.curve_keypair()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            pass
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(_encrypted(secret, passphrase) if passphrase else secret)
    secret = _secret(path, passphrase)
    try:
        return CurveKeys(zmq.curve_public(secret), secret)
    except (zmq.ZMQError, ValueError) as exc:
        raise ExchangeError(
            f"{path}: not a CURVE secret key ({exc})", code="bad_link_key"
        ) from None


def _encrypted(secret: bytes, passphrase: bytes) -> bytes:
    key = X25519PrivateKey.from_private_bytes(z85.decode(secret))
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def _secret(path: Path, passphrase: bytes | None) -> bytes:
    """The Z85 secret key in ``path``, decrypted if it is encrypted."""
    data = path.read_bytes().strip()
    if not data.startswith(_PEM):
        return data  # Z85, as ZeroMQ writes it
    encrypted = data.startswith(_ENCRYPTED_PEM)
    if encrypted and not passphrase:
        raise ExchangeError(
            f"{path} is encrypted and no key passphrase is configured "
            "(set IPFED_KEY_PASSPHRASE or IPFED_KEY_PASSPHRASE_FILE)",
            code=KEY_PASSPHRASE_MISSING,
        )
    try:
        key = serialization.load_pem_private_key(data, password=passphrase if encrypted else None)
    except (ValueError, TypeError):
        if encrypted:
            raise ExchangeError(
                f"{path}: the key passphrase is wrong (or the key is damaged)",
                code=WRONG_KEY_PASSPHRASE,
            ) from None
        raise ExchangeError(f"{path}: not a CURVE secret key", code="bad_link_key") from None
    if not isinstance(key, X25519PrivateKey):
        raise ExchangeError(f"{path}: not an X25519 key", code="bad_link_key")
    return z85.encode(key.private_bytes_raw())


class LinkKey(SignedModel):
    """A node's CURVE public key, signed by the organisation that runs the node."""

    node_id: str
    curve_key: str = Field(pattern=Z85_KEY)
    signer: str = Field(pattern=SHA256_HEX)
    issued_at: AwareDatetime

    @property
    def signer_key_id(self) -> str:
        return self.signer

    @property
    def signed_at(self) -> datetime:
        return self.issued_at

    @classmethod
    def issue(
        cls,
        *,
        node_id: str,
        keys: CurveKeys,
        key: PrivateKey,
        certificate: x509.Certificate,
        now: datetime,
    ) -> "LinkKey":
        unsigned = cls(
            node_id=node_id,
            curve_key=keys.public.decode(),
            signer=key_id(certificate),
            issued_at=now,
        )
        return unsigned.signed_by(key)

    def verify(self, bundle: TrustBundle) -> Organisation:
        """The organisation that vouches for this key, or :class:`ExchangeError`."""
        try:
            return self.verify_signer(bundle)
        except UntrustedIdentity as exc:
            raise ExchangeError(
                f"link key of {self.node_id} not vouched for: {exc.message}", code="bad_link_key"
            ) from None
