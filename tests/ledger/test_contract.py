"""Transactions and the contract: signatures bind every field; the rules hold
whatever sequence of transactions arrives."""

from datetime import UTC, datetime
from hashlib import sha256
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ipfed.ledger.contract import TRANSITIONS, ContractViolation, apply, reads
from ipfed.ledger.identity import (
    BadSignature,
    CertificateAuthority,
    Organisation,
    Role,
    UntrustedIdentity,
    generate_key,
)
from ipfed.ledger.transactions import Transaction, TxType, new_transaction
from ipfed.ledger.trust import TrustBundle

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
SH = Organisation("上海市知识产权局", Role.REGIONAL, "310000")
ZJ = Organisation("浙江省知识产权局", Role.REGIONAL, "330000")
PLATFORM = Organisation("某电商平台", Role.PLATFORM, "330000")


def digest(text: str) -> str:
    return sha256(text.encode()).hexdigest()


def tx(type: TxType, **payload: str) -> Transaction:
    return Transaction(
        type=type, payload=payload, submitter="0" * 64, timestamp=NOW, nonce="0" * 32
    )


def test_signatures_bind_every_field() -> None:
    authority = CertificateAuthority.create()
    key = generate_key()
    certificate = authority.issue(SH, key.public_key())
    bundle = TrustBundle(authority.certificate, [certificate])
    signed = new_transaction(
        TxType.EVIDENCE_CAPTURED,
        {"sha256": digest("snapshot")},
        key,
        certificate,
        datetime.now(UTC),
    )
    again = Transaction.model_validate_json(signed.model_dump_json())
    assert again.verify(bundle) == SH
    for change in (
        {"payload": {"sha256": digest("other")}},
        {"nonce": "1" * 32},
        {"type": TxType.LEAD_RECORDED},
    ):
        with pytest.raises(BadSignature):
            again.model_copy(update=change).verify(bundle)
    with pytest.raises(UntrustedIdentity):  # before the certificate was issued
        again.model_copy(update={"timestamp": datetime(2020, 1, 1, tzinfo=UTC)}).verify(bundle)


class World(dict[str, Any]):
    """The whole state in memory; each transaction sees only the keys it reads."""

    def run(self, transaction: Transaction, signer: Organisation) -> None:
        view = {k: self[k] for k in reads(transaction) if k in self}
        self.update(apply(view, transaction, signer))


def test_mark_lifecycle() -> None:
    world = World()
    world.run(tx(TxType.MARK_ISSUED, mark_id="M1"), SH)
    assert world["mark/M1"] == {"issuer": SH.name, "status": "active"}
    with pytest.raises(ContractViolation) as raised:
        world.run(tx(TxType.MARK_ISSUED, mark_id="M2"), PLATFORM)
    assert raised.value.code == "not_an_office"
    with pytest.raises(ContractViolation) as raised:
        world.run(tx(TxType.MARK_STATUS, mark_id="M1", status="revoked"), ZJ)
    assert raised.value.code == "not_issuer"
    world.run(tx(TxType.MARK_STATUS, mark_id="M1", status="suspended"), SH)
    world.run(tx(TxType.MARK_STATUS, mark_id="M1", status="revoked"), SH)
    with pytest.raises(ContractViolation) as raised:
        world.run(tx(TxType.MARK_STATUS, mark_id="M1", status="active"), SH)
    assert raised.value.code == "bad_transition"


def test_mark_events_belong_to_issued_marks_and_their_issuer() -> None:
    world = World()
    event = {"event_id": "E1", "sha256": digest("event")}
    with pytest.raises(ContractViolation) as raised:
        world.run(tx(TxType.MARK_EVENT, mark_id="M1", **event), SH)
    assert raised.value.code == "unknown_mark"
    world.run(tx(TxType.MARK_ISSUED, mark_id="M1"), SH)
    with pytest.raises(ContractViolation) as raised:
        world.run(tx(TxType.MARK_EVENT, mark_id="M1", **event), ZJ)
    assert raised.value.code == "not_issuer"
    world.run(tx(TxType.MARK_EVENT, mark_id="M1", **event), SH)
    with pytest.raises(ContractViolation) as raised:
        world.run(tx(TxType.MARK_EVENT, mark_id="M1", **event), SH)
    assert raised.value.code == "duplicate"


def test_leads_need_evidence_and_receipts_need_filings() -> None:
    world = World()
    with pytest.raises(ContractViolation, match="captured evidence"):
        world.run(tx(TxType.LEAD_RECORDED, lead_id="L1", evidence_sha256=digest("e")), SH)
    world.run(tx(TxType.EVIDENCE_CAPTURED, sha256=digest("e")), SH)
    world.run(tx(TxType.LEAD_RECORDED, lead_id="L1", evidence_sha256=digest("e")), SH)
    assert "lead/L1" in world
    with pytest.raises(ContractViolation, match="holds"):
        world.run(tx(TxType.FILING_RECEIPT, filing_id="F1"), SH)
    world.run(tx(TxType.FILING_RECEIVED, filing_id="F1", sha256=digest("f")), SH)
    world.run(tx(TxType.FILING_RECEIPT, filing_id="F1"), SH)
    for bad in (
        tx(TxType.EVIDENCE_CAPTURED, sha256="not hex"),
        tx(TxType.MARK_ISSUED, mark_id="a/b"),
    ):
        with pytest.raises(ContractViolation):
            world.run(bad, SH)


steps = st.tuples(
    st.sampled_from(list(TxType)),
    st.sampled_from(["M1", "M2"]),
    st.sampled_from(list(TRANSITIONS)),
    st.sampled_from([digest("a"), digest("b")]),
    st.sampled_from([SH, ZJ, PLATFORM]),
)


@settings(max_examples=300)
@given(st.lists(steps, max_size=40))
def test_no_sequence_reaches_an_invalid_state(sequence: list[tuple]) -> None:
    world: World = World()
    for type, mark, status, evidence, signer in sequence:
        payload = {
            TxType.MARK_ISSUED: {"mark_id": mark},
            TxType.MARK_STATUS: {"mark_id": mark, "status": status},
            TxType.MARK_EVENT: {"mark_id": mark, "event_id": mark, "sha256": evidence},
            TxType.EVIDENCE_CAPTURED: {"sha256": evidence},
            TxType.LEAD_RECORDED: {"lead_id": mark, "evidence_sha256": evidence},
            TxType.FILING_RECEIVED: {"filing_id": mark, "sha256": evidence},
            TxType.FILING_RECEIPT: {"filing_id": mark},
        }[type]
        before = dict(world)
        try:
            world.run(tx(type, **payload), signer)
        except ContractViolation:
            assert world == before
        for key, value in world.items():
            if key.startswith("mark/"):
                assert value["status"] in TRANSITIONS
                if before.get(key, {}).get("status") == "revoked":
                    assert value["status"] == "revoked"
            if key.startswith("mark-event/"):
                assert f"mark/{key.removeprefix('mark-event/')}" in world
            if key.startswith("receipt/"):
                assert f"filing/{key.removeprefix('receipt/')}" in world
            if key.startswith("lead/"):
                assert any(k.startswith("evidence/") for k in world)


def test_payloads_must_have_a_canonical_form() -> None:
    with pytest.raises(ValidationError, match="floats"):
        tx(TxType.EVIDENCE_CAPTURED, sha256=1.5)  # type: ignore[arg-type]
