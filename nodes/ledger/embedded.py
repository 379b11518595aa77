"""The embedded :class:`ipfed.ledger.protocol.Ledger`: the node's own transparency log,
in the node's database, bound to one session (the caller commits)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.errors import LedgerError
from ipfed.ledger.note import SignedNote
from ipfed.ledger.protocol import Entry, Recorded
from ipfed.ledger.receipts import EMBEDDED, Receipt
from ipfed.ledger.transactions import TxType, new_transaction
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.identity import NodeIdentity
from ipfed.nodes.ledger.service import (
    latest_checkpoint,
    node_log,
    prove,
    record,
    sign_checkpoint,
)


class EmbeddedLedger:
    """Records are placed at once; a receipt signs a checkpoint when none covers it yet."""

    backend = EMBEDDED

    def __init__(self, *, db: Session, origin: str, identity: NodeIdentity) -> None:
        self.db = db
        self.origin = origin
        self.identity = identity

    @property
    def name(self) -> str:
        return self.origin

    def record(self, type: TxType, payload: dict[str, Any]) -> Recorded:
        return self.record_batch([(type, payload)])[0]

    def record_batch(self, entries: Sequence[Entry]) -> list[Recorded]:
        now = utcnow()
        key, certificate = self.identity.key, self.identity.certificate
        transactions = [
            new_transaction(type, payload, key, certificate, now) for type, payload in entries
        ]
        if not transactions:
            return []
        first = record(
            db=self.db, origin=self.origin, bundle=self.identity.bundle, transactions=transactions
        )
        return [Recorded(tx, first + i) for i, tx in enumerate(transactions)]

    def anchor(self, sha256: str) -> Recorded:
        return self.record(TxType.EVIDENCE_CAPTURED, {"sha256": sha256})

    def receipt(self, position: int) -> Receipt:
        size = node_log(db=self.db, origin=self.origin).size
        if not 0 <= position < size:
            raise LedgerError(
                f"nothing is recorded at {position} (the log has {size} entries)",
                code="not_recorded",
            )
        note = latest_checkpoint(db=self.db)
        if note is None or Checkpoint.parse(note.text).size <= position:
            self.checkpoint()
        return prove(db=self.db, origin=self.origin, position=position)

    # What only a log has: not part of the protocol.

    def checkpoint(self) -> SignedNote:
        """The signed checkpoint of everything recorded so far."""
        return sign_checkpoint(
            db=self.db,
            origin=self.origin,
            key=self.identity.key,
            certificate=self.identity.certificate,
        )

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        return node_log(db=self.db, origin=self.origin).consistency_proof(first, second)
