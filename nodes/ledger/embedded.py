"""The embedded :class:`ipfed.ledger.protocol.Ledger`: the node's own transparency log."""

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.note import SignedNote
from ipfed.ledger.receipts import Receipt
from ipfed.ledger.transactions import Transaction
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import transaction
from ipfed.nodes.identity import NodeIdentity
from ipfed.nodes.ledger.service import node_log, prove, record, sign_checkpoint


class EmbeddedLedger:
    """Each call is one transaction on the node's database."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: NodeSettings, identity: NodeIdentity
    ) -> None:
        self.sessions = sessions
        self.origin = settings.origin
        self.identity = identity

    def submit(self, transactions: Sequence[Transaction]) -> int:
        with transaction(self.sessions) as db:
            return record(
                db=db, origin=self.origin, bundle=self.identity.bundle, transactions=transactions
            )

    def checkpoint(self) -> SignedNote:
        with transaction(self.sessions) as db:
            return sign_checkpoint(
                db=db,
                origin=self.origin,
                key=self.identity.key,
                certificate=self.identity.certificate,
            )

    def receipt(self, position: int) -> Receipt:
        with transaction(self.sessions) as db:
            return prove(db=db, origin=self.origin, position=position)

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        with transaction(self.sessions) as db:
            return node_log(db, self.origin).consistency_proof(first, second)
