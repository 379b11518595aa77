"""The node's own identity: its organisation's key and certificate and the
federation trust bundle, in ``DATA_DIR/identity/`` (org.key, org.pem,
trust-bundle.json).

The trust bundle is read again when its file changes (size or modification
time, checked on each use), so that a running node takes a new bundle or CRL
without a restart. A new file that does not read as a trust bundle (half
written, say) is logged and the bundle in use is kept.
"""

import logging
import threading
from dataclasses import dataclass, replace
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

log = logging.getLogger(__name__)
TRUST_BUNDLE_FILE = "trust-bundle.json"


@dataclass(frozen=True)
class NodeIdentity:
    key: PrivateKey
    certificate: x509.Certificate
    bundle: TrustBundle

    @property
    def key_id(self) -> str:
        return key_id(self.certificate)


@dataclass(frozen=True)
class _Loaded:
    identity: NodeIdentity
    stamp: tuple[int, int] | None  # the trust bundle file's size and mtime when last read


# By folder and passphrase: the key is opened with the passphrase configured now.
_loaded: dict[tuple[Path, bytes | None], _Loaded] = {}
_reading = threading.Lock()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


def _load(path: Path, passphrase: bytes | None) -> NodeIdentity:
    try:
        key = read_private_key(path / "org.key", passphrase)
    except LedgerError as exc:
        if exc.code in (KEY_PASSPHRASE_MISSING, WRONG_KEY_PASSPHRASE):
            hint = f"set {PASSPHRASE_VARIABLE} or {PASSPHRASE_FILE_VARIABLE}"
            raise ConfigurationError(f"{exc.message}: {hint}", code=exc.code) from None
        raise _unreadable(path, exc) from None
    try:
        bundle = TrustBundle.from_json((path / TRUST_BUNDLE_FILE).read_bytes())
        return NodeIdentity(key, read_certificate(path / "org.pem"), bundle)
    except (OSError, LedgerError) as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: Exception) -> ConfigurationError:
    return ConfigurationError(
        f"the node's identity in {path} is missing or unreadable: {exc}", code="no_identity"
    )


def _reloaded(path: Path, loaded: _Loaded) -> NodeIdentity:
    """The identity with the bundle now in the file, or the one in use if it does not read."""
    try:
        bundle = TrustBundle.from_json((path / TRUST_BUNDLE_FILE).read_bytes())
    except (OSError, LedgerError) as exc:
        log.warning("%s: the new trust bundle is not used, the one before stays: %s", path, exc)
        return loaded.identity
    log.info("%s: trust bundle read again (%d certificates)", path, len(bundle.by_key_id))
    return replace(loaded.identity, bundle=bundle)


def node_identity(settings: NodeSettings) -> NodeIdentity:
    """The node's identity, its key opened with the configured passphrase (if any), and
    its trust bundle read again whenever the file changes."""
    path = settings.identity_dir.resolve()
    passphrase = key_passphrase()
    stamp = _stamp(path / TRUST_BUNDLE_FILE)
    loaded = _loaded.get((path, passphrase))
    if loaded is not None and loaded.stamp == stamp:
        return loaded.identity
    with _reading:  # one reader; the others then see what it read
        loaded = _loaded.get((path, passphrase))
        if loaded is None:
            identity = _load(path, passphrase)
        elif loaded.stamp == stamp:
            return loaded.identity
        else:
            identity = _reloaded(path, loaded)
        # A file that did not read is not tried again until it changes again.
        _loaded[path, passphrase] = _Loaded(identity, stamp)
        return identity
