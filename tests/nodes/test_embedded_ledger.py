"""The embedded backend satisfies the Ledger protocol end to end."""

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.merkle import verify_consistency
from ipfed.ledger.note import SignedNote
from ipfed.ledger.protocol import Ledger
from ipfed.ledger.transactions import Transaction
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.identity import NodeIdentity
from ipfed.nodes.ledger.embedded import EmbeddedLedger


def test_submit_checkpoint_receipt(
    sessions: sessionmaker[Session],
    settings: NodeSettings,
    federation: tuple,
    evidence: Callable[[str, int], list[Transaction]],
) -> None:
    bundle, key, certificate = federation
    ledger: Ledger = EmbeddedLedger(sessions, settings, NodeIdentity(key, certificate, bundle))

    assert ledger.submit(evidence("1", 4)) == 0
    first = Checkpoint.parse(ledger.checkpoint().text)
    assert ledger.submit(evidence("2", 4)) == 4
    second = Checkpoint.parse(SignedNote.parse(str(ledger.checkpoint())).text)
    assert ledger.receipt(6).verify(bundle).region_code == "310000"
    proof = ledger.consistency_proof(first.size, second.size)
    verify_consistency(first.size, second.size, first.root, second.root, proof)
