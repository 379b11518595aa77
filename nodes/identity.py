"""The node's own identity: its organisation's key and certificate and the
federation trust bundle, in ``DATA_DIR/identity/`` (org.key, org.pem,
trust-bundle.json)."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography import x509

from ipfed.ledger.errors import LedgerError
from ipfed.ledger.identity import PrivateKey
from ipfed.ledger.keystore import (
    KEY_PASSPHRASE_MISSING,
    WRONG_KEY_PASSPHRASE,
    read_certificate,
    read_private_key,
)
from ipfed.ledger.trust import TrustBundle, key_id
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.errors import ConfigurationError
from ipfed.nodes.secrets import PASSPHRASE_FILE_VARIABLE, PASSPHRASE_VARIABLE, key_passphrase


@dataclass(frozen=True)
class NodeIdentity:
    key: PrivateKey
    certificate: x509.Certificate
    bundle: TrustBundle

    @property
    def key_id(self) -> str:
        return key_id(self.certificate)


@cache
def _load(path: Path, passphrase: bytes | None) -> NodeIdentity:
    try:
        key = read_private_key(path / "org.key", passphrase)
    except LedgerError as exc:
        if exc.code in (KEY_PASSPHRASE_MISSING, WRONG_KEY_PASSPHRASE):
            hint = f"set {PASSPHRASE_VARIABLE} or {PASSPHRASE_FILE_VARIABLE}"
            raise ConfigurationError(f"{exc.message}: {hint}", code=exc.code) from None
        raise _unreadable(path, exc) from None
    try:
        bundle = TrustBundle.from_json((path / "trust-bundle.json").read_bytes())
        return NodeIdentity(key, read_certificate(path / "org.pem"), bundle)
    except (OSError, LedgerError) as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: Exception) -> ConfigurationError:
    return ConfigurationError(
        f"the node's identity in {path} is missing or unreadable: {exc}", code="no_identity"
    )


def node_identity(settings: NodeSettings) -> NodeIdentity:
    """The node's identity; its key decrypted with the configured passphrase, if any."""
    return _load(settings.identity_dir.resolve(), key_passphrase())
