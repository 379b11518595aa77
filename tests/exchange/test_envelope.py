"""Envelopes: sealed by an office, refused for every way they can be wrong."""

import base64
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ulid import ULID

from ipfed.exchange.envelope import Envelope, seal
from ipfed.exchange.errors import Refused
from ipfed.exchange.messages import Lead, LeadKind, LeadPush, MarkStatusChange, Shop
from ipfed.ledger.canonical import canonical_bytes
from ipfed.ledger.identity import sign
from ipfed.ledger.log import MemoryStore, TransparencyLog
from ipfed.ledger.receipts import Receipt
from ipfed.ledger.transactions import Transaction, TxType, new_transaction

ZJ = "浙江省知识产权局"
SH = "上海市知识产权局"
SH_ENFORCEMENT = "上海市市场监督管理局"
EVIDENCE = "ab" * 32


def make_lead(**changes: Any) -> Lead:
    fields: dict[str, Any] = {
        "lead_id": str(ULID()),
        "kind": LeadKind.TRADEMARK,
        "right_id": "4410392",
        "right_holder": "上海回力鞋业有限公司",
        "score": Decimal("0.91"),
        "reasons": ["回カ imitates 回力"],
        "seller": "上海黄浦鞋业贸易有限公司",
        "shop": Shop(platform="jd", shop_id="huilishoes"),
        "jurisdiction": "310104",
        "evidence_sha256": EVIDENCE,
    }
    return Lead(**(fields | changes))


def sealed(
    offices: Any, body: Any = None, *, by: str = ZJ, signer: str | None = None, **kw: Any
) -> Envelope:
    key, certificate = offices.keys[signer or by]
    return seal(
        body or LeadPush(lead=make_lead()),
        recipients=[offices.organisations[SH_ENFORCEMENT]],
        key=key,
        certificate=certificate,
        sender=offices.organisations[by],
        now=kw.pop("now", datetime.now(UTC)),
        **kw,
    )


def refusal(offices: Any, data: bytes) -> str:
    with pytest.raises(Refused) as refused:
        Envelope.from_bytes(data).verify(offices.bundle(), datetime.now(UTC))
    return refused.value.code


def receipt_for(offices: Any, tx: Transaction, origin: str = "ipfed/330000/zj") -> Receipt:
    key, certificate = offices.keys[ZJ]
    log = TransparencyLog(MemoryStore(), origin)
    log.append([tx.entry()])
    return Receipt(
        position=0,
        transaction=tx,
        inclusion_proof=log.inclusion_proof(0, 1),
        checkpoint=str(log.signed_checkpoint(key, certificate)),
    )


def lead_recorded(offices: Any, lead: Lead, by: str = ZJ) -> Transaction:
    key, certificate = offices.keys[by]
    payload = {"lead_id": lead.lead_id, "evidence_sha256": lead.evidence_sha256}
    return new_transaction(TxType.LEAD_RECORDED, payload, key, certificate, datetime.now(UTC))


def test_a_sealed_envelope_verifies_and_round_trips(offices: Any) -> None:
    envelope = sealed(offices)
    parsed = Envelope.from_bytes(envelope.to_bytes())
    assert parsed == envelope
    assert parsed.verify(offices.bundle(), datetime.now(UTC)).name == ZJ
    body = parsed.message()
    assert isinstance(body, LeadPush) and body.lead.score == Decimal("0.91")
    assert parsed.recipients == [SH_ENFORCEMENT]


def test_unsigned_is_refused(offices: Any) -> None:
    unsigned = sealed(offices).model_copy(update={"signature": b""})
    assert refusal(offices, unsigned.to_bytes()) == "unsigned"


def test_tampered_body_is_refused(offices: Any) -> None:
    envelope = sealed(offices)
    body = dict(envelope.body, note="altered on the way")
    assert refusal(offices, envelope.model_copy(update={"body": body}).to_bytes()) == "tampered"
    # One flipped byte of the bytes on the wire: no longer the signed envelope.
    data = bytearray(envelope.to_bytes())
    data[data.index(b"huilishoes")] ^= 0x01
    assert refusal(offices, bytes(data)) == "tampered"


def test_forged_sender_is_refused(offices: Any) -> None:
    """Shanghai signs, but the envelope claims to come from Zhejiang."""
    forged = sealed(offices, by=ZJ, signer=SH)
    assert forged.sender == ZJ
    assert refusal(offices, forged.to_bytes()) == "forged"


def test_unknown_and_revoked_senders_are_refused(offices: Any) -> None:
    stranger = type(offices)(offices.authority, {}, {}, set())
    stranger.add("不明机构", offices.organisations[ZJ].role, "330000")
    from_stranger = seal(
        LeadPush(lead=make_lead()),
        recipients=[offices.organisations[SH_ENFORCEMENT]],
        key=stranger.keys["不明机构"][0],
        certificate=stranger.keys["不明机构"][1],
        sender=stranger.organisations["不明机构"],
        now=datetime.now(UTC),
    )
    assert refusal(offices, from_stranger.to_bytes()) == "unknown_sender"

    envelope = sealed(offices)
    _, certificate = offices.keys[ZJ]
    revoked = type(offices)(
        offices.authority, offices.organisations, offices.keys, {certificate.serial_number}
    )
    with pytest.raises(Refused) as refused:
        envelope.verify(revoked.bundle(), datetime.now(UTC))
    assert refused.value.code == "revoked_sender"


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b'{"id": "x"}',  # not canonical (a space)
        b'{"id":"x"}',
        canonical_bytes({"unexpected": True}),
    ],
)
def test_malformed_is_refused(offices: Any, data: bytes) -> None:
    assert refusal(offices, data) == "malformed"


def test_a_body_that_does_not_fit_its_type_is_malformed(offices: Any) -> None:
    envelope = sealed(offices)
    wrong = envelope.model_copy(update={"body": {"lead_id": "nope"}})
    assert refusal(offices, wrong.to_bytes()) == "malformed"


def resealed(offices: Any, envelope: Envelope, **changes: Any) -> bytes:
    """``envelope`` as another node's code would write it with ``changes``, signed by
    Zhejiang: the signature over the canonical bytes of every other field."""
    fields = envelope.model_dump(mode="json", exclude={"signature"}) | changes
    signature = sign(offices.keys[ZJ][0], canonical_bytes(fields))
    return canonical_bytes(fields | {"signature": base64.b64encode(signature).decode()})


def test_an_envelope_from_before_versions_is_read_as_1_0(offices: Any) -> None:
    data = resealed(offices, sealed(offices))
    assert b'"v":' not in data
    envelope = Envelope.from_bytes(data)
    assert envelope.v == "1.0" and envelope.to_bytes() == data
    assert envelope.verify(offices.bundle(), datetime.now(UTC)).name == ZJ
    assert b'"v":' not in sealed(offices).to_bytes()  # what older nodes read, still


def test_a_newer_minor_version_is_read_with_its_new_fields_as_signed(offices: Any) -> None:
    data = resealed(offices, sealed(offices), v="1.3", priority="urgent")
    envelope = Envelope.from_bytes(data)
    assert envelope.to_bytes() == data
    assert envelope.verify(offices.bundle(), datetime.now(UTC)).name == ZJ
    altered = data.replace(b'"urgent"', b'"routine"')
    assert refusal(offices, altered) == "tampered"
    assert refusal(offices, resealed(offices, sealed(offices), v="1.0", priority="x")) == (
        "malformed"
    )


def test_a_newer_major_version_is_refused_with_its_reason(offices: Any) -> None:
    with pytest.raises(Refused) as refused:
        Envelope.from_bytes(resealed(offices, sealed(offices), v="2.0", priority="urgent"))
    assert refused.value.code == "unsupported_version"
    assert "Envelope format 2.0 is newer than this node reads (1.x)" in refused.value.message


def test_too_large_is_refused(offices: Any) -> None:
    assert refusal(offices, b" " * (2 << 20)) == "too_large"


def test_future_envelopes_are_refused(offices: Any) -> None:
    later = sealed(offices, now=datetime.now(UTC) + timedelta(hours=1))
    assert refusal(offices, later.to_bytes()) == "untimely"


def test_a_receipt_must_prove_the_lead_it_comes_with(offices: Any) -> None:
    lead = make_lead()
    receipt = receipt_for(offices, lead_recorded(offices, lead))
    good = sealed(offices, LeadPush(lead=lead), receipt=receipt)
    assert Envelope.from_bytes(good.to_bytes()).verify(offices.bundle(), datetime.now(UTC))

    other = sealed(offices, LeadPush(lead=make_lead()), receipt=receipt)
    assert refusal(offices, other.to_bytes()) == "bad_receipt"
    # A receipt for a record Shanghai made does not prove Zhejiang's lead.
    shanghais = receipt_for(offices, lead_recorded(offices, lead, by=SH))
    assert (
        refusal(offices, sealed(offices, LeadPush(lead=lead), receipt=shanghais).to_bytes())
        == "bad_receipt"
    )
    # Zhejiang's checkpoint of Shanghai's log proves nothing: only Shanghai speaks for it.
    in_shanghais_log = receipt_for(offices, lead_recorded(offices, lead), "ipfed/310000/sh")
    assert (
        refusal(offices, sealed(offices, LeadPush(lead=lead), receipt=in_shanghais_log).to_bytes())
        == "bad_receipt"
    )
    # A mark status change is not anchored by a lead record.
    status = MarkStatusChange(mark_id="M1", status="revoked", effective_at=datetime.now(UTC))
    assert refusal(offices, sealed(offices, status, receipt=receipt).to_bytes()) == "bad_receipt"
