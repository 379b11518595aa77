"""Receipts: a transaction, its inclusion proof and the signed checkpoint it leads
to, verifiable offline with nothing but the federation's trust bundle."""

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ipfed.ledger.errors import InvalidProof, MalformedData
from ipfed.ledger.identity import Organisation, UntrustedIdentity
from ipfed.ledger.merkle import leaf_hash, verify_inclusion
from ipfed.ledger.note import SignedNote
from ipfed.ledger.owner import verify_checkpoint
from ipfed.ledger.proofs import Path
from ipfed.ledger.transactions import Transaction
from ipfed.ledger.trust import TrustBundle

EMBEDDED = "embedded"  # the backend whose receipts prove inclusion in a transparency log


class Receipt(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    position: int
    transaction: Transaction
    inclusion_proof: Path
    checkpoint: str  # C2SP signed note
    # Which backend and which of its ledgers the receipt comes from (the embedded
    # log's origin). Receipts issued before they were named carry neither, and keep
    # their bytes (envelopes sign them): an unnamed field is left out, not null.
    backend: str | None = Field(default=None, exclude_if=lambda value: value is None)
    ledger: str | None = Field(default=None, exclude_if=lambda value: value is None)

    @classmethod
    def parse(cls, data: str | bytes) -> "Receipt":
        try:
            return cls.model_validate_json(data)
        except ValidationError as exc:
            raise MalformedData(f"not a receipt: {str(exc).splitlines()[0]}") from None

    def verify(self, bundle: TrustBundle, *, witnessed: bool = False) -> Organisation:
        """The organisation that submitted the transaction, once everything checks out.

        The checkpoint must be signed by the office whose log it is (its origin names
        it); with ``witnessed``, it must also carry a witness's cosignature: a
        signature by another office than the log's.
        """
        if self.backend not in (None, EMBEDDED):
            raise MalformedData(
                f"a receipt of the {self.backend} ledger cannot be verified here",
                code="unknown_backend",
            )
        verified = verify_checkpoint(SignedNote.parse(self.checkpoint), bundle)
        if witnessed and not verified.witnesses:
            raise UntrustedIdentity(
                "the checkpoint is not cosigned by a witness", code="not_witnessed"
            )
        checkpoint = verified.checkpoint
        if self.ledger is not None and self.ledger != checkpoint.origin:
            raise InvalidProof(
                f"the receipt names ledger {self.ledger}, its checkpoint {checkpoint.origin}",
                code="wrong_ledger",
            )
        submitter = self.transaction.verify(bundle)
        verify_inclusion(
            self.position,
            checkpoint.size,
            leaf_hash(self.transaction.entry()),
            self.inclusion_proof,
            checkpoint.root,
        )
        return submitter


__all__ = ["EMBEDDED", "InvalidProof", "Receipt"]
