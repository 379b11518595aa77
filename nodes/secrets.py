"""Secrets at rest: what the node keeps owner-only, apart from ``node.toml``.

- Files and folders the ``ipfed`` command creates are its owner's only (0600, 0700).
- This node's API keys on its peers' APIs live in ``DATA_DIR/secrets.toml`` (0600) or
  in the environment (``IPFED_PEER_<NODE_ID>_API_KEY``), never in ``node.toml``.
- Private keys are encrypted with a passphrase when one is configured
  (``IPFED_KEY_PASSPHRASE``, or ``IPFED_KEY_PASSPHRASE_FILE`` naming a file).
"""

import json
import logging
import os
import stat
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ipfed.nodes.errors import ConfigurationError

SECRETS_FILE = "secrets.toml"
PASSPHRASE_VARIABLE = "IPFED_KEY_PASSPHRASE"
PASSPHRASE_FILE_VARIABLE = "IPFED_KEY_PASSPHRASE_FILE"
OWNER_ONLY_UMASK = 0o077

log = logging.getLogger(__name__)


@contextmanager
def owner_only() -> Iterator[None]:
    """Files and folders created meanwhile are readable by their owner only."""
    previous = os.umask(OWNER_ONLY_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def keep_folder_private(path: Path) -> None:
    """Make the node's folder owner-only (0700); a folder made by an earlier release, or
    by hand, may let others read the database and keys inside."""
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        log.warning("%s was open to other users: it is now owner-only (0700)", path)
        path.chmod(0o700)


def write_owner_only(path: Path, text: str) -> None:
    """Write ``path`` as a 0600 file, tightening the mode of one that existed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def peer_key_variable(node_id: str) -> str:
    """The environment variable that may hold this node's API key on peer ``node_id``."""
    return f"IPFED_PEER_{node_id.upper().replace('-', '_')}_API_KEY"


def peer_api_keys(data_dir: Path, node_ids: Iterable[str]) -> dict[str, str]:
    """This node's API key on each peer that has one: the environment first, then
    ``secrets.toml``."""
    stored: Mapping[str, object] = {}
    path = data_dir / SECRETS_FILE
    if path.exists():
        try:
            stored = tomllib.loads(path.read_text(encoding="utf-8")).get("peer_api_keys", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"{path} is unreadable: {exc}", code="bad_secrets") from None
    keys = {}
    for node_id in node_ids:
        key = os.environ.get(peer_key_variable(node_id)) or stored.get(node_id)
        if isinstance(key, str) and key:
            keys[node_id] = key
    return keys


def secrets_toml(peer_keys: Mapping[str, str]) -> str:
    lines = [
        "# This node's API keys on its peers' APIs. Keep this file owner-only (0600).",
        "[peer_api_keys]",
    ]
    for node_id, key in peer_keys.items():
        lines.append(f"{node_id} = {json.dumps(key)}")
    return "\n".join(lines) + "\n"


def key_passphrase() -> bytes | None:
    """The passphrase of the private keys, when one is configured."""
    if passphrase := os.environ.get(PASSPHRASE_VARIABLE):
        return passphrase.encode()
    if name := os.environ.get(PASSPHRASE_FILE_VARIABLE):
        try:
            passphrase = Path(name).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ConfigurationError(
                f"the key passphrase file {name} is unreadable: {exc.strerror}",
                code="key_passphrase_unreadable",
            ) from None
        if not passphrase:
            raise ConfigurationError(
                f"the key passphrase file {name} is empty", code="key_passphrase_unreadable"
            )
        return passphrase.encode()
    return None
