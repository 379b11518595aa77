"""Envelopes: a typed body, who sends it to whom and when, the ledger receipt of
its anchored record where there is one, and the sender's signature over the
canonical bytes of all of it.

An envelope is parsed (:meth:`Envelope.from_bytes`), never trusted: a receiver
calls :meth:`Envelope.verify`, which returns the sender or raises
:class:`~ipfed.exchange.errors.Refused` with the reason.
"""

from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from pydantic import AwareDatetime, Field, ValidationError, field_validator
from ulid import ULID

from ipfed.exchange.errors import Refused
from ipfed.exchange.messages import BODIES, Body, MessageType
from ipfed.ledger.canonical import check_canonical, parse_canonical
from ipfed.ledger.errors import LedgerError, UnsupportedVersion
from ipfed.ledger.identity import BadSignature, Organisation, PrivateKey, UntrustedIdentity
from ipfed.ledger.ids import Ulid as UlidText
from ipfed.ledger.receipts import Receipt
from ipfed.ledger.signed import SignedModel
from ipfed.ledger.transactions import SHA256_HEX
from ipfed.ledger.trust import TrustBundle, key_id

MAX_ENVELOPE_BYTES = 1 << 20
MAX_CLOCK_SKEW = timedelta(minutes=10)

# What the trust bundle's refusals mean for an envelope's sender.
_SENDER_CODES = {
    "unknown_signer": "unknown_sender",
    "revoked_certificate": "revoked_sender",
    "expired_certificate": "expired_sender",
    "bad_signature": "bad_signature",
}


class Envelope(SignedModel):
    id: UlidText
    type: MessageType
    sender: str = Field(min_length=1, description="the sending organisation's name")
    signer: str = Field(pattern=SHA256_HEX, description="key id of the sender's certificate")
    recipients: list[str] = Field(min_length=1)
    created_at: AwareDatetime
    body: dict[str, Any]
    receipt: Receipt | None = None

    @field_validator("body")
    @classmethod
    def _canonical_body(cls, body: dict[str, Any]) -> dict[str, Any]:
        try:
            check_canonical(body)
        except LedgerError as exc:
            raise ValueError(exc.message) from None
        return body

    @property
    def signer_key_id(self) -> str:
        return self.signer

    @property
    def signed_at(self) -> datetime:
        return self.created_at

    @classmethod
    def from_bytes(cls, data: bytes) -> "Envelope":
        """Parse an envelope and its body; anything malformed is refused."""
        return cls.opened(data)[0]

    @classmethod
    def opened(cls, data: bytes) -> "tuple[Envelope, Body]":
        """:meth:`from_bytes`, with the typed body it checked."""
        if len(data) > MAX_ENVELOPE_BYTES:
            raise Refused(f"an envelope of {len(data):,} bytes is too large", code="too_large")
        try:
            envelope = cls.model_validate(parse_canonical(data))
            return envelope, envelope.message()
        except UnsupportedVersion as exc:
            raise Refused(exc.message, code=exc.code) from None
        except LedgerError as exc:
            raise Refused(f"not an envelope: {exc.message}", code="malformed") from None
        except ValidationError as exc:
            raise Refused(f"not an envelope: {_first_error(exc)}", code="malformed") from None

    def message(self) -> Body:
        """The typed body."""
        return BODIES[self.type].model_validate(self.body)

    def verify(self, bundle: TrustBundle, now: datetime) -> Organisation:
        """The sender, if the federation vouches for it and every byte is as it signed."""
        if not self.signature:
            raise Refused("the envelope is not signed", code="unsigned")
        try:
            signer = self.verify_signer(bundle)
        except BadSignature:
            raise Refused(
                "the signature does not match the envelope: it was altered", code="tampered"
            ) from None
        except UntrustedIdentity as exc:
            code = _SENDER_CODES.get(exc.code, "untrusted_sender")
            raise Refused(f"sender not vouched for: {exc.message}", code=code) from None
        if signer.name != self.sender:
            raise Refused(
                f"signed by {signer.name}, not by the claimed sender {self.sender}", code="forged"
            )
        if self.created_at - now > MAX_CLOCK_SKEW:
            raise Refused("the envelope is dated in the future", code="untimely")
        if self.receipt is not None:
            self._check_receipt(bundle, signer)
        return signer

    def _check_receipt(self, bundle: TrustBundle, sender: Organisation) -> None:
        assert self.receipt is not None
        anchor = self.message().anchor()
        if anchor is None:
            raise Refused(f"a {self.type} carries no ledger receipt", code="bad_receipt")
        try:
            submitter = self.receipt.verify(bundle)
        except LedgerError as exc:
            raise Refused(
                f"the receipt does not verify: {exc.message}", code="bad_receipt"
            ) from None
        tx_type, fields = anchor
        tx = self.receipt.transaction
        if submitter != sender:
            raise Refused("the receipt is for another organisation's record", code="bad_receipt")
        if tx.type != tx_type or any(tx.payload.get(k) != v for k, v in fields.items()):
            raise Refused(f"the receipt is not for this {self.type}", code="bad_receipt")


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"


def seal(
    body: Body,
    *,
    recipients: list[Organisation],
    key: PrivateKey,
    certificate: x509.Certificate,
    sender: Organisation,
    now: datetime,
    receipt: Receipt | None = None,
) -> Envelope:
    """A new envelope for ``body``, signed by ``sender``'s ``key``."""
    unsigned = Envelope(
        id=str(ULID.from_datetime(now)),
        type=body.type,
        sender=sender.name,
        signer=key_id(certificate),
        recipients=[r.name for r in recipients],
        created_at=now,
        body=body.model_dump(mode="json"),
        receipt=receipt,
    )
    return unsigned.signed_by(key)
