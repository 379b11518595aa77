"""Checkpoints of the node's log that it has shown to others, kept outside the ledger's
tables: a copy that deleting or rolling back the stored checkpoints leaves behind."""

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.exchange.envelope import Envelope
from ipfed.exchange.errors import Refused
from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.errors import LedgerError
from ipfed.ledger.note import SignedNote
from ipfed.ledger.receipts import Receipt
from ipfed.nodes.exchange.models import OutboxEnvelope


def shown_checkpoints(*, db: Session, origin: str) -> Iterator[str]:
    """The signed checkpoints of ``origin`` in the receipts of envelopes this node sent."""
    for data in db.scalars(select(OutboxEnvelope.data)).yield_per(500):
        try:
            receipt = Envelope.from_bytes(data).receipt
        except Refused:
            continue  # not ours to judge here; the exchange refuses it on its own
        if receipt is not None and _origin(receipt) == origin:
            yield receipt.checkpoint


def read_checkpoint(data: bytes) -> str:
    """A signed checkpoint from a receipt file or a signed note file."""
    try:
        return Receipt.parse(data).checkpoint
    except LedgerError:
        return str(SignedNote.parse(data))


def _origin(receipt: Receipt) -> str | None:
    try:
        return Checkpoint.parse(SignedNote.parse(receipt.checkpoint).text).origin
    except LedgerError:
        return None
