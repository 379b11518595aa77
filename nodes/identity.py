"""The node's own identity: its organisation's key and certificate and the
federation trust bundle, in ``DATA_DIR/identity/`` (org.key, org.pem,
trust-bundle.json)."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography import x509

from ipfed.ledger.errors import LedgerError
from ipfed.ledger.identity import PrivateKey
from ipfed.ledger.keystore import read_certificate, read_private_key
from ipfed.ledger.trust import TrustBundle, key_id
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.errors import ConfigurationError


@dataclass(frozen=True)
class NodeIdentity:
    key: PrivateKey
    certificate: x509.Certificate
    bundle: TrustBundle

    @property
    def key_id(self) -> str:
        return key_id(self.certificate)


@cache
def _load(path: Path) -> NodeIdentity:
    try:
        bundle = TrustBundle.from_json((path / "trust-bundle.json").read_bytes())
        return NodeIdentity(
            read_private_key(path / "org.key"), read_certificate(path / "org.pem"), bundle
        )
    except (OSError, LedgerError) as exc:
        raise ConfigurationError(
            f"the node's identity in {path} is missing or unreadable: {exc}", code="no_identity"
        ) from None


def node_identity(settings: NodeSettings) -> NodeIdentity:
    return _load(settings.identity_dir.resolve())
