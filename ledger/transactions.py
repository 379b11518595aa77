"""Ledger transactions: typed, signed by an organisation, public fields only.

Private data (seller names, addresses, evidence bytes) never goes on a ledger:
a payload carries its SHA-256 instead. The signature covers the canonical
bytes of every other field (:class:`~ipfed.ledger.signed.SignedModel`).
"""

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from cryptography import x509
from pydantic import AwareDatetime, Field, field_validator

from ipfed.ledger.canonical import check_canonical
from ipfed.ledger.errors import MalformedData
from ipfed.ledger.identity import Organisation, PrivateKey
from ipfed.ledger.signed import SignedModel
from ipfed.ledger.trust import TrustBundle, key_id

SHA256_HEX = r"^[0-9a-f]{64}$"


class TxType(StrEnum):
    MARK_ISSUED = "mark.issued"
    MARK_STATUS = "mark.status"
    MARK_EVENT = "mark.event"
    EVIDENCE_CAPTURED = "evidence.captured"
    LEAD_RECORDED = "lead.recorded"
    FILING_RECEIVED = "filing.received"
    FILING_RECEIPT = "filing.receipt"


class Transaction(SignedModel):
    type: TxType
    payload: dict[str, Any]
    submitter: str = Field(pattern=SHA256_HEX, description="key id of the signer's certificate")
    timestamp: AwareDatetime
    nonce: str = Field(pattern=r"^[0-9a-f]{32}$")

    @field_validator("payload")
    @classmethod
    def _canonical_payload(cls, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            check_canonical(payload)
        except MalformedData as exc:
            raise ValueError(exc.message) from None
        return payload

    @property
    def signer_key_id(self) -> str:
        return self.submitter

    @property
    def signed_at(self) -> datetime:
        return self.timestamp

    def entry(self) -> bytes:
        """What the log stores: the whole transaction, canonical."""
        return self.to_bytes()

    def verify(self, bundle: TrustBundle) -> Organisation:
        """The signer, if the federation vouches for it at the transaction's time."""
        return self.verify_signer(bundle)


def new_transaction(
    type: TxType,
    payload: dict[str, Any],
    key: PrivateKey,
    certificate: x509.Certificate,
    timestamp: datetime,
) -> Transaction:
    unsigned = Transaction(
        type=type,
        payload=payload,
        submitter=key_id(certificate),
        timestamp=timestamp,
        nonce=secrets.token_hex(16),
    )
    return unsigned.signed_by(key)
