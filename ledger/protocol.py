"""What a node's domains need from a ledger, whatever the backend.

A domain records transactions of a type with a payload (the ledger signs them
as the node's office), anchors hashes, and asks for the receipt of a recorded
position. It never knows which backend is configured: the embedded backend (a
transparency log in the node's database, ``ipfed.nodes.ledger.embedded``)
implements this, and a Hyperledger Fabric backend can slot in behind the same
calls, running :mod:`ipfed.ledger.contract` as chaincode. What is shaped like a
log (checkpoints, consistency proofs, witnessing) stays with the embedded backend.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ipfed.ledger.errors import LedgerError
from ipfed.ledger.receipts import Receipt
from ipfed.ledger.transactions import Transaction, TxType

Entry = tuple[TxType, dict[str, Any]]


class Pending(LedgerError):
    """Accepted by the ledger, but not placed (or not provable) yet: ask again later."""

    code = "ledger_pending"


@dataclass(frozen=True)
class Recorded:
    """A transaction the ledger accepted.

    ``position`` is None while the transaction waits for its place: a backend may
    queue records while its network is down and place them when it is back.
    """

    transaction: Transaction
    position: int | None

    def placed(self) -> int:
        """The position, for a caller that cannot go on without one."""
        if self.position is None:
            raise Pending("the ledger has not placed this record yet")
        return self.position


class Ledger(Protocol):
    @property
    def backend(self) -> str:
        """Which kind of ledger this is ("embedded"); receipts name it too."""
        ...

    @property
    def name(self) -> str:
        """Which ledger of that kind: the embedded log's origin, a Fabric channel."""
        ...

    def record(self, type: TxType, payload: dict[str, Any]) -> Recorded:
        """Sign one transaction as the node's office, validate it and record it."""
        ...

    def record_batch(self, entries: Sequence[Entry]) -> list[Recorded]:
        """Sign and record every (type, payload) entry, in order, all or none."""
        ...

    def anchor(self, sha256: str) -> Recorded:
        """Record the SHA-256 of captured evidence (``evidence.captured``)."""
        ...

    def receipt(self, position: int) -> Receipt:
        """A receipt for the transaction at ``position``, verifiable offline.

        Raises :class:`Pending` when the backend cannot prove it yet, and
        :class:`LedgerError` when nothing is recorded there.
        """
        ...
