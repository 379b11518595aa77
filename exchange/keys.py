"""Link keys: each node's CURVE key pair for ZeroMQ, kept in its identity
directory, and the statement that binds the public half to the node's
federation certificate so that peers can learn it and trust it."""

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import zmq
from cryptography import x509
from pydantic import AwareDatetime, Field

from ipfed.exchange.errors import ExchangeError
from ipfed.ledger.identity import Organisation, PrivateKey, UntrustedIdentity
from ipfed.ledger.signed import SignedModel
from ipfed.ledger.transactions import SHA256_HEX
from ipfed.ledger.trust import TrustBundle, key_id

CURVE_KEY_FILE = "curve.key"  # the Z85 secret key; the public key is derived from it
Z85_KEY = r"^[0-9a-zA-Z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}$"


@dataclass(frozen=True)
class CurveKeys:
    public: bytes
    secret: bytes


def curve_keys(identity_dir: Path) -> CurveKeys:
    """The node's CURVE key pair, created on first use (owner-only file)."""
    path = identity_dir / CURVE_KEY_FILE
    if not path.exists():
        _, secret = zmq.curve_keypair()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            pass
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(secret)
    secret = path.read_bytes().strip()
    try:
        return CurveKeys(zmq.curve_public(secret), secret)
    except (zmq.ZMQError, ValueError) as exc:
        raise ExchangeError(
            f"{path}: not a CURVE secret key ({exc})", code="bad_link_key"
        ) from None


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
