"""The signed forms of a filing and of its receipt: pure data, no I/O.

A region's office signs the canonical bytes of a :class:`FilingDocument`; the
national office signs a :class:`ReceiptDocument` naming the filing's SHA-256
and the ledger entries that record it. Both are parsed, never trusted:
``verify`` returns the signer or raises :class:`FilingRefused` with the reason.
"""

from datetime import datetime
from hashlib import sha256
from typing import Annotated, Generic, Self, TypeVar

from cryptography import x509
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from ipfed.ledger.canonical import Base64Bytes, canonical_bytes, parse_canonical
from ipfed.ledger.errors import LedgerError, UnsupportedVersion
from ipfed.ledger.identity import BadSignature, Organisation, PrivateKey, Role, sign
from ipfed.ledger.ids import Ulid
from ipfed.ledger.signed import VersionedModel
from ipfed.ledger.transactions import SHA256_HEX
from ipfed.ledger.trust import TrustBundle, key_id
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.filings.calendar import FilingKind, Period, check_period
from ipfed.nodes.filings.statistics import Statistics

Region = Annotated[str, StringConstraints(pattern=r"^[1-8]\d{5}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300)]
MAX_FILING_BYTES = 4 << 20


class FilingRefused(IpfedError):
    """A filing or receipt that is malformed, altered, or from the wrong office."""

    code = "filing_refused"
    status_code = 422


class TypicalCase(BaseModel):
    """A case the office holds up as typical, from its adjudications."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    case_no: Name
    right_kind: str
    right_number: str
    decision: str
    decided_on: str
    authority: str
    summary: str = Field(default="", max_length=4000)


class FilingDocument(VersionedModel):
    filing_id: Ulid = Field(description="this version's id")
    region_code: Region
    office: Name
    kind: FilingKind
    period: str
    version: int = Field(ge=1)
    supersedes: Ulid | None = None
    title: Name
    statistics: Statistics
    sections: dict[str, Annotated[str, StringConstraints(max_length=20000)]]
    typical_cases: list[TypicalCase] = Field(max_length=50)
    signed_at: AwareDatetime
    # The pseudonymous id of the person who submitted it: never the name, which stays
    # with the office. Absent when no person did (then it is not hashed either).
    submitted_by: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{32}$", exclude_if=lambda value: value is None
    )

    @model_validator(mode="after")
    def _consistent(self) -> "FilingDocument":
        check_period(self.kind, Period.parse(self.period))
        if (self.version == 1) != (self.supersedes is None):
            raise ValueError("the first version supersedes nothing; a correction names one")
        return self

    def sha256(self) -> str:
        return sha256(canonical_bytes(self)).hexdigest()


class ReceiptDocument(VersionedModel):
    filing_id: Ulid
    filing_sha256: str = Field(pattern=SHA256_HEX)
    region_code: Region
    kind: FilingKind
    period: str
    version: int = Field(ge=1)
    received_by: Name
    received_at: AwareDatetime
    ledger_origin: str = Field(description="the receiving node's log")
    ledger_position: int = Field(ge=0, description="the filing.received entry")
    receipt_position: int = Field(ge=0, description="the filing.receipt entry")


D = TypeVar("D", FilingDocument, ReceiptDocument)


class Signed(BaseModel, Generic[D]):
    """A document and its signer's signature over the document's canonical bytes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    document: D
    signer: str = Field(pattern=SHA256_HEX, description="key id of the signer's certificate")
    signature: Base64Bytes

    @classmethod
    def create(cls, document: D, key: PrivateKey, certificate: x509.Certificate) -> Self:
        return cls(
            document=document,
            signer=key_id(certificate),
            signature=sign(key, canonical_bytes(document)),
        )

    def to_bytes(self) -> bytes:
        return canonical_bytes(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> Self:
        if len(data) > MAX_FILING_BYTES:
            raise FilingRefused(f"{len(data):,} bytes is too large", code="too_large")
        try:
            return cls.model_validate(parse_canonical(data))
        except UnsupportedVersion as exc:
            raise FilingRefused(exc.message, code=exc.code) from None
        except LedgerError as exc:
            raise FilingRefused(exc.message, code="malformed") from None
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in error["loc"])
            raise FilingRefused(f"{where}: {error['msg']}", code="malformed") from None

    def verify(self, bundle: TrustBundle, at: datetime) -> Organisation:
        """The signer, if the federation vouches for it and the document is as it signed."""
        try:
            return bundle.verify(self.signer, canonical_bytes(self.document), self.signature, at=at)
        except BadSignature:
            raise FilingRefused(
                "the signature does not match the document: it was altered", code="tampered"
            ) from None
        except LedgerError as exc:
            raise FilingRefused(f"signer not vouched for: {exc.message}", code=exc.code) from None


class SignedFiling(Signed[FilingDocument]):
    pass


class SignedReceipt(Signed[ReceiptDocument]):
    pass


def verify_filing(filing: SignedFiling, bundle: TrustBundle) -> Organisation:
    """The filing office, if it is the regional office of the region the filing is for."""
    office = filing.verify(bundle, filing.document.signed_at)
    document = filing.document
    if office.role is not Role.REGIONAL or office.region_code != document.region_code:
        raise FilingRefused(
            f"{office.name} is not the office of region {document.region_code}",
            code="wrong_office",
        )
    if office.name != document.office:
        raise FilingRefused(
            f"signed by {office.name}, not by {document.office}", code="wrong_office"
        )
    return office


def verify_receipt(receipt: SignedReceipt, bundle: TrustBundle, filing_sha256: str) -> None:
    """Raise :class:`FilingRefused` unless the national office signed this receipt for
    the filing whose document has ``filing_sha256``."""
    office = receipt.verify(bundle, receipt.document.received_at)
    if office.role is not Role.NATIONAL or office.name != receipt.document.received_by:
        raise FilingRefused(f"{office.name} does not receive filings", code="wrong_office")
    if receipt.document.filing_sha256 != filing_sha256:
        raise FilingRefused("the receipt is for another document", code="bad_receipt")
