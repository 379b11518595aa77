"""What registry, exchange and nodes need from a ledger, whatever the backend.

The embedded backend (a transparency log in the node's database) implements it
in ``ipfed.nodes.ledger.embedded``; a Hyperledger Fabric backend can slot in
behind the same calls, running :mod:`ipfed.ledger.contract` as chaincode.
"""

from collections.abc import Sequence
from typing import Protocol

from ipfed.ledger.note import SignedNote
from ipfed.ledger.receipts import Receipt
from ipfed.ledger.transactions import Transaction


class Ledger(Protocol):
    def submit(self, transactions: Sequence[Transaction]) -> int:
        """Validate (signatures, contract) and record all of them, or none; first position."""
        ...

    def checkpoint(self) -> SignedNote:
        """A signed checkpoint covering everything recorded so far."""
        ...

    def receipt(self, position: int) -> Receipt:
        """A receipt for a recorded transaction, verifiable offline."""
        ...

    def consistency_proof(self, first: int, second: int) -> list[bytes]: ...
