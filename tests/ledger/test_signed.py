"""Signed canonical models and their format version, on ledger transactions: what
was written before versions reads, hashes and verifies as it did; a newer minor
version is read with its new fields kept; a newer major version is refused."""

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography import x509
from pydantic import ValidationError

from ipfed.ledger.canonical import canonical_bytes
from ipfed.ledger.errors import UnsupportedVersion
from ipfed.ledger.identity import BadSignature, PrivateKey, sign
from ipfed.ledger.merkle import leaf_hash
from ipfed.ledger.signed import FormatVersion
from ipfed.ledger.transactions import Transaction, TxType, new_transaction
from ipfed.ledger.trust import TrustBundle, key_id

Federation = tuple[TrustBundle, PrivateKey, x509.Certificate]


def signed_by_hand(fields: dict[str, Any], key: PrivateKey) -> bytes:
    """A transaction's entry as a node wrote it before versions: the signature over
    the canonical bytes of every other field, without this code's models."""
    signature = sign(key, canonical_bytes(fields))
    return canonical_bytes({**fields, "signature": base64.b64encode(signature).decode()})


def fields(certificate: x509.Certificate, **more: Any) -> dict[str, Any]:
    return {
        "type": "evidence.captured",
        "payload": {"sha256": "ab" * 32},
        "submitter": key_id(certificate),
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "nonce": "0f" * 16,
        **more,
    }


def test_an_entry_from_before_versions_is_1_0_and_hashes_and_verifies_as_before(
    federation: Federation,
) -> None:
    bundle, key, certificate = federation
    entry = signed_by_hand(fields(certificate), key)
    tx = Transaction.model_validate_json(entry)
    assert tx.v == "1.0" and tx.format_version == FormatVersion(1, 0)
    assert tx.entry() == entry
    assert leaf_hash(tx.entry()) == leaf_hash(entry)
    assert tx.verify(bundle).name == "上海市知识产权局"


def test_new_transactions_are_written_in_1_0_by_omission(federation: Federation) -> None:
    """Nodes that do not know versions (they refuse unknown fields) still read them."""
    bundle, key, certificate = federation
    tx = new_transaction(TxType.LEAD_RECORDED, {"n": 1}, key, certificate, datetime.now(UTC))
    written = Transaction.model_validate_json(tx.entry()).model_dump(mode="json")
    assert set(written) == {"type", "payload", "submitter", "timestamp", "nonce", "signature"}
    tx.verify(bundle)


def test_a_version_written_out_is_kept_as_signed(federation: Federation) -> None:
    bundle, key, certificate = federation
    entry = signed_by_hand(fields(certificate, v="1.0"), key)
    tx = Transaction.model_validate_json(entry)
    assert tx.entry() == entry
    tx.verify(bundle)


def test_a_newer_minor_version_is_read_and_its_new_fields_kept(federation: Federation) -> None:
    bundle, key, certificate = federation
    entry = signed_by_hand(fields(certificate, v="1.4", witnessed_by=["national"]), key)
    tx = Transaction.model_validate_json(entry)
    assert tx.format_version == FormatVersion(1, 4)
    assert tx.entry() == entry
    assert tx.verify(bundle).name == "上海市知识产权局"
    altered = tx.model_copy(update={"witnessed_by": ["someone else"]})
    with pytest.raises(BadSignature):
        altered.verify(bundle)


def test_fields_of_no_known_version_are_refused(federation: Federation) -> None:
    _, key, certificate = federation
    for version in ({}, {"v": "1.0"}):
        entry = signed_by_hand(fields(certificate, **version, witnessed_by=["x"]), key)
        with pytest.raises(ValidationError, match="witnessed_by: not a field of Transaction"):
            Transaction.model_validate_json(entry)


def test_a_newer_major_version_is_refused_as_such(federation: Federation) -> None:
    _, key, certificate = federation
    entry = signed_by_hand(fields(certificate, v="2.0", witnessed_by=["x"]), key)
    with pytest.raises(UnsupportedVersion, match=r"format 2\.0 is newer than this node reads"):
        Transaction.model_validate_json(entry)


@pytest.mark.parametrize("version", ["1", "1.0.0", "01.0", "v1.0", "1.a", ""])
def test_a_version_is_major_dot_minor(federation: Federation, version: str) -> None:
    _, key, certificate = federation
    with pytest.raises(ValidationError):
        Transaction.model_validate_json(signed_by_hand(fields(certificate, v=version), key))
