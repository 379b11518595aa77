"""Checkpoints in the C2SP tlog-checkpoint form: origin, tree size and root hash."""

import base64
import binascii
from dataclasses import dataclass

from ipfed.ledger.errors import MalformedData
from ipfed.ledger.merkle import HASH_SIZE


@dataclass(frozen=True)
class Checkpoint:
    origin: str  # the log's unique name, e.g. "ipfed/310000/sh"
    size: int
    root: bytes

    def __post_init__(self) -> None:
        if not self.origin or any(c.isspace() for c in self.origin):
            raise MalformedData("an origin is a non-empty name without spaces")
        if self.size < 0 or len(self.root) != HASH_SIZE:
            raise MalformedData("a checkpoint has a size >= 0 and a 32-byte root")

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse(cls, body: str) -> "Checkpoint":
        lines = body.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise MalformedData("a checkpoint is origin, size and root hash, one per line")
        origin, size, root = lines[:3]
        if not size.isdigit() or (size != "0" and size.startswith("0")):
            raise MalformedData(f"bad tree size {size!r}")
        try:
            return cls(origin, int(size), base64.b64decode(root, validate=True))
        except binascii.Error:
            raise MalformedData("the root hash is base64") from None


def log_region(origin: str) -> str | None:
    """The region code an origin ``ipfed/<region code>/<node id>`` names, if it has that form."""
    parts = origin.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "ipfed" and parts[1] else None
