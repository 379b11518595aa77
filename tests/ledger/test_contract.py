"""Transactions and the contract: signatures bind every field; the rules hold
whatever sequence of transactions arrives."""

from datetime import UTC, datetime
from hashlib import sha256

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipfed.ledger.contract import TRANSITIONS, ContractViolation, State, apply
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


def test_mark_lifecycle() -> None:
    state = apply(State(), tx(TxType.MARK_ISSUED, mark_id="M1"), SH)
    with pytest.raises(ContractViolation) as raised:
        apply(state, tx(TxType.MARK_ISSUED, mark_id="M2"), PLATFORM)
    assert raised.value.code == "not_an_office"
    with pytest.raises(ContractViolation) as raised:
        apply(state, tx(TxType.MARK_STATUS, mark_id="M1", status="revoked"), ZJ)
    assert raised.value.code == "not_issuer"
    state = apply(state, tx(TxType.MARK_STATUS, mark_id="M1", status="suspended"), SH)
    state = apply(state, tx(TxType.MARK_STATUS, mark_id="M1", status="revoked"), SH)
    with pytest.raises(ContractViolation) as raised:
        apply(state, tx(TxType.MARK_STATUS, mark_id="M1", status="active"), SH)
    assert raised.value.code == "bad_transition"


def test_leads_need_evidence_and_receipts_need_filings() -> None:
    state = State()
    with pytest.raises(ContractViolation, match="captured evidence"):
        apply(state, tx(TxType.LEAD_RECORDED, lead_id="L1", evidence_sha256=digest("e")), SH)
    state = apply(state, tx(TxType.EVIDENCE_CAPTURED, sha256=digest("e")), SH)
    state = apply(state, tx(TxType.LEAD_RECORDED, lead_id="L1", evidence_sha256=digest("e")), SH)
    assert state.leads == {"L1"}
    with pytest.raises(ContractViolation, match="holds"):
        apply(state, tx(TxType.FILING_RECEIPT, filing_id="F1"), SH)
    state = apply(state, tx(TxType.FILING_RECEIVED, filing_id="F1", sha256=digest("f")), SH)
    state = apply(state, tx(TxType.FILING_RECEIPT, filing_id="F1"), SH)
    with pytest.raises(ContractViolation):
        apply(state, tx(TxType.EVIDENCE_CAPTURED, sha256="not hex"), SH)


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
    state, seen_revoked = State(), set()
    for type, mark, status, evidence, signer in sequence:
        payload = {
            TxType.MARK_ISSUED: {"mark_id": mark},
            TxType.MARK_STATUS: {"mark_id": mark, "status": status},
            TxType.EVIDENCE_CAPTURED: {"sha256": evidence},
            TxType.LEAD_RECORDED: {"lead_id": mark, "evidence_sha256": evidence},
            TxType.FILING_RECEIVED: {"filing_id": mark, "sha256": evidence},
            TxType.FILING_RECEIPT: {"filing_id": mark},
        }[type]
        before = state
        try:
            state = apply(state, tx(type, **payload), signer)
        except ContractViolation:
            assert state is before
        for mark_id, mark_state in state.marks.items():
            assert mark_state.status in TRANSITIONS
            if mark_id in seen_revoked:
                assert mark_state.status == "revoked"
            if mark_state.status == "revoked":
                seen_revoked.add(mark_id)
        assert state.receipts <= state.filings_held
        assert len(state.leads) <= len(state.evidence) * 2
