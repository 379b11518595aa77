"""The embedded backend keeps the ledger contract (real SQLite and PostgreSQL), and
what only a log does besides: checkpoints that grow consistently."""

import pytest
from cryptography import x509
from ledger_contract import LedgerContract, digest
from sqlalchemy.orm import Session

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.identity import Organisation, PrivateKey, Role
from ipfed.ledger.merkle import verify_consistency
from ipfed.ledger.note import SignedNote
from ipfed.ledger.transactions import TxType
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.errors import ConfigurationError
from ipfed.nodes.identity import NodeIdentity
from ipfed.nodes.ledger.embedded import EmbeddedLedger
from ipfed.nodes.ledger.node import node_ledger

ORIGIN = "ipfed/310000/sh"
Federation = tuple[TrustBundle, PrivateKey, x509.Certificate]


class TestEmbeddedLedger(LedgerContract):
    office = Organisation("上海市知识产权局", Role.REGIONAL, "310000")

    @pytest.fixture
    def ledger(self, db: Session, federation: Federation) -> EmbeddedLedger:
        bundle, key, certificate = federation
        return EmbeddedLedger(db=db, origin=ORIGIN, identity=NodeIdentity(key, certificate, bundle))

    @pytest.fixture
    def trust(self, federation: Federation) -> TrustBundle:
        return federation[0]

    def test_records_are_placed_at_once_and_named_by_the_log(self, ledger: EmbeddedLedger) -> None:
        assert [r.position for r in ledger.record_batch([])] == []
        assert ledger.anchor(digest("a")).position == 0
        assert ledger.anchor(digest("b")).position == 1
        assert (ledger.backend, ledger.name) == ("embedded", ORIGIN)

    def test_a_receipt_signs_a_checkpoint_only_when_none_covers_it(
        self, ledger: EmbeddedLedger
    ) -> None:
        ledger.record_batch([(TxType.EVIDENCE_CAPTURED, {"sha256": digest(t)}) for t in "abcd"])
        first = Checkpoint.parse(SignedNote.parse(ledger.receipt(3).checkpoint).text)
        assert first.size == 4
        assert Checkpoint.parse(SignedNote.parse(ledger.receipt(1).checkpoint).text) == first
        ledger.anchor(digest("e"))
        second = Checkpoint.parse(SignedNote.parse(ledger.receipt(4).checkpoint).text)
        assert second.size == 5
        proof = ledger.consistency_proof(first.size, second.size)
        verify_consistency(first.size, second.size, first.root, second.root, proof)


def test_the_node_s_ledger_is_the_configured_backend(db: Session, office: NodeSettings) -> None:
    ledger = node_ledger(db=db, settings=office)
    assert isinstance(ledger, EmbeddedLedger) and ledger.name == office.origin
    signer = ledger.anchor(digest("x")).transaction.verify(ledger.identity.bundle)
    assert signer.region_code == "310000"
    unchecked = office.model_copy(update={"ledger_backend": "fabric"})
    with pytest.raises(ConfigurationError) as refused:
        node_ledger(db=db, settings=unchecked)
    assert refused.value.code == "unknown_ledger_backend"
