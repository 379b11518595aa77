"""What every ledger backend promises the domains (``ipfed.ledger.protocol.Ledger``).

A backend's tests subclass :class:`LedgerContract` and provide two fixtures:
``ledger`` (a fresh, empty ledger that signs as ``office``) and ``trust`` (the
federation's trust bundle, ``office`` being the organisation it vouches for).
A backend that accepts records before it places them overrides :meth:`placed`
to wait until it has.
"""

from hashlib import sha256
from typing import Any

import pytest

from ipfed.ledger.contract import ContractViolation
from ipfed.ledger.errors import LedgerError
from ipfed.ledger.identity import Organisation
from ipfed.ledger.protocol import Ledger, Pending, Recorded
from ipfed.ledger.receipts import Receipt
from ipfed.ledger.transactions import TxType
from ipfed.ledger.trust import TrustBundle


def digest(tag: str) -> str:
    return sha256(tag.encode()).hexdigest()


class LedgerContract:
    office: Organisation

    def placed(self, ledger: Ledger, recorded: Recorded) -> int:
        """The position of an accepted record, once the backend has placed it."""
        return recorded.placed()

    def test_a_record_is_signed_as_the_node_s_office(
        self, ledger: Ledger, trust: TrustBundle
    ) -> None:
        payload: dict[str, Any] = {"sha256": digest("snapshot")}
        recorded = ledger.record(TxType.EVIDENCE_CAPTURED, payload)
        tx = recorded.transaction
        assert tx.type is TxType.EVIDENCE_CAPTURED and tx.payload == payload
        assert tx.verify(trust) == self.office

    def test_a_batch_is_recorded_in_order(self, ledger: Ledger) -> None:
        evidence = ledger.anchor(digest("seen"))
        lead: dict[str, Any] = {
            "lead_id": "01JDQ0000000000000000000AA",
            "evidence_sha256": digest("seen"),
            "kind": "trademark",
        }
        batch = ledger.record_batch(
            [
                (TxType.LEAD_RECORDED, lead),
                (TxType.EVIDENCE_CAPTURED, {"sha256": digest("more")}),
            ]
        )
        assert [r.transaction.type for r in batch] == [
            TxType.LEAD_RECORDED,
            TxType.EVIDENCE_CAPTURED,
        ]
        positions = [self.placed(ledger, r) for r in (evidence, *batch)]
        assert positions == sorted(set(positions))
        assert ledger.record_batch([]) == []

    def test_a_batch_that_breaks_the_contract_records_nothing(self, ledger: Ledger) -> None:
        ledger.anchor(digest("kept"))
        with pytest.raises(ContractViolation) as refused:
            ledger.record_batch(
                [
                    (TxType.EVIDENCE_CAPTURED, {"sha256": digest("new")}),
                    (TxType.EVIDENCE_CAPTURED, {"sha256": digest("kept")}),
                ]
            )
        assert refused.value.code == "duplicate"
        ledger.anchor(digest("new"))  # the batch's first entry was not recorded either

    def test_a_receipt_verifies_offline_and_names_its_ledger(
        self, ledger: Ledger, trust: TrustBundle
    ) -> None:
        first = ledger.anchor(digest("first"))
        second = ledger.anchor(digest("second"))
        for recorded in (second, first, second):  # signed for the first, then reused
            receipt = Receipt.parse(ledger.receipt(self.placed(ledger, recorded)).model_dump_json())
            assert receipt.transaction == recorded.transaction
            assert receipt.verify(trust) == self.office
            assert (receipt.backend, receipt.ledger) == (ledger.backend, ledger.name)

    def test_a_receipt_for_nothing_recorded_is_refused(self, ledger: Ledger) -> None:
        recorded = ledger.anchor(digest("only"))
        with pytest.raises(LedgerError) as refused:
            ledger.receipt(self.placed(ledger, recorded) + 1_000)
        assert not isinstance(refused.value, Pending)
