"""The message types and their bodies: one pydantic model per type.

Every body names its *subject* (the lead, filing, mark or alert it is about), so
that a node can show a lead's push, record and feedback as one thread, and the
ledger transaction its envelope's receipt must prove, where there is one.
"""

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ipfed.ledger.canonical import check_canonical
from ipfed.ledger.contract import MarkStatus
from ipfed.ledger.errors import MalformedData
from ipfed.ledger.ids import Ulid as ULID
from ipfed.ledger.transactions import SHA256_HEX, TxType

RegionCode = Annotated[str, StringConstraints(pattern=r"^[1-8]\d{5}$")]  # GB/T 2260
Sha256 = Annotated[str, StringConstraints(pattern=SHA256_HEX)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(max_length=4000)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]  # ISO 3166-1 alpha-2


class MessageType(StrEnum):
    LEAD_PUSH = "lead.push"
    LEAD_RECORD = "lead.record"
    LEAD_FEEDBACK = "lead.feedback"
    CLUE_TRANSFER = "clue.transfer"
    FILING_SUBMISSION = "filing.submission"
    FILING_RECEIPT = "filing.receipt"
    CROSS_BORDER_ALERT = "crossborder.alert"
    MARK_STATUS = "mark.status"
    EXHIBIT_ALERT = "exhibit.alert"


class LeadKind(StrEnum):
    TRADEMARK = "trademark"
    PATENT_MARKING = "patent_marking"  # a counterfeit patent claim (假冒专利)
    DESIGN = "design"  # infringes a design patent
    INVENTION = "invention"  # infringes an invention or utility-model patent


PATENT_INFRINGEMENT = frozenset({LeadKind.DESIGN, LeadKind.INVENTION})

# The ledger transaction a receipt must prove: its type and the payload fields it must carry.
Anchor = tuple[TxType, dict[str, str]]


class Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: ClassVar[MessageType]

    @property
    def subject(self) -> str:
        raise NotImplementedError

    def anchor(self) -> Anchor | None:
        """The ledger record an envelope's receipt proves for this body (None: no receipt)."""
        return None


class Shop(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: Name
    shop_id: Name


class Lead(BaseModel):
    """A reviewed lead: what was seen, who sells it, which right, and where to act."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lead_id: ULID
    kind: LeadKind
    right_id: Name = Field(description="the right's official number")
    right_holder: Name | None = Field(default=None, description="the rights holder's name")
    score: Decimal = Field(ge=0, le=1, max_digits=5, decimal_places=4)
    reasons: list[Text] = Field(min_length=1)
    seller: Name
    shop: Shop | None = None
    title: Text | None = Field(default=None, description="the listing or exhibit as seen")
    url: Text | None = None
    jurisdiction: RegionCode = Field(description="the seller's region, from source tracing")
    evidence_sha256: Sha256
    foreign_related: bool = False


class LeadPush(Body):
    """A lead for the organisations that must act on it."""

    type = MessageType.LEAD_PUSH
    lead: Lead
    note: Text = ""

    @property
    def subject(self) -> str:
        return self.lead.lead_id

    def anchor(self) -> Anchor | None:
        return TxType.LEAD_RECORDED, _lead_anchor(self.lead)


class LeadRecord(Body):
    """A lead kept on record at the national node, with whom it was pushed to."""

    type = MessageType.LEAD_RECORD
    lead: Lead
    pushed_to: list[Name] = []

    @property
    def subject(self) -> str:
        return self.lead.lead_id

    def anchor(self) -> Anchor | None:
        return TxType.LEAD_RECORDED, _lead_anchor(self.lead)


def _lead_anchor(lead: Lead) -> dict[str, str]:
    return {"lead_id": lead.lead_id, "evidence_sha256": lead.evidence_sha256}


class LeadOutcome(StrEnum):
    CASE_OPENED = "case_opened"
    TAKEN_DOWN = "taken_down"
    PENALISED = "penalised"
    NO_INFRINGEMENT = "no_infringement"
    NOT_OUR_JURISDICTION = "not_our_jurisdiction"


class LeadFeedback(Body):
    """The result of handling a lead, back to the organisation that pushed it."""

    type = MessageType.LEAD_FEEDBACK
    lead_id: ULID
    found_by: Name = Field(description="the organisation that pushed the lead")
    handled_by: Name
    outcome: LeadOutcome
    detail: Text = ""
    case_number: Name | None = None
    handled_at: AwareDatetime

    @property
    def subject(self) -> str:
        return self.lead_id


class ClueTransfer(Body):
    """A clue handed to the office of the province that has jurisdiction."""

    type = MessageType.CLUE_TRANSFER
    lead: Lead
    to_region: RegionCode
    reason: Text

    @property
    def subject(self) -> str:
        return self.lead.lead_id


def _canonical(value: dict[str, Any]) -> dict[str, Any]:
    try:
        check_canonical(value)
    except MalformedData as exc:
        raise ValueError(exc.message) from None
    return value


class FilingSubmission(Body):
    """A plan, summary or case filed upward to the national office."""

    type = MessageType.FILING_SUBMISSION
    filing_id: ULID
    kind: Name = Field(description="e.g. annual_plan, summary, case")
    period: Name
    title: Name
    document_sha256: Sha256
    content: dict[str, Any] = Field(description="the filing's fields, canonical JSON")

    @field_validator("content")
    @classmethod
    def _canonical(cls, content: dict[str, Any]) -> dict[str, Any]:
        return _canonical(content)

    @property
    def subject(self) -> str:
        return self.filing_id


class FilingReceipt(Body):
    """The receiver's acknowledgement of a filing, back to the office that filed it."""

    type = MessageType.FILING_RECEIPT
    filing_id: ULID
    submitted_by: Name
    accepted: bool
    comment: Text = ""
    receipt: dict[str, Any] | None = Field(
        default=None, description="the receiver's signed receipt, canonical JSON"
    )

    @field_validator("receipt")
    @classmethod
    def _canonical(cls, receipt: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if receipt is None else _canonical(receipt)

    @property
    def subject(self) -> str:
        return self.filing_id

    def anchor(self) -> Anchor | None:
        return TxType.FILING_RECEIPT, {"filing_id": self.filing_id}


class CrossBorderRisk(StrEnum):
    FOREIGN_RELATED_LEAD = "foreign_related_lead"
    EXPORT_RISK = "export_risk"  # overseas infringement risk for an export product


class CrossBorderAlert(Body):
    """For the national overseas dispute-response centre and its regional sub-centre."""

    type = MessageType.CROSS_BORDER_ALERT
    alert_id: ULID
    risk: CrossBorderRisk
    region_code: RegionCode = Field(description="the region concerned")
    summary: Text
    countries: list[Country] = []
    product: Name | None = None
    lead: Lead | None = None

    @property
    def subject(self) -> str:
        return self.lead.lead_id if self.lead else self.alert_id


class MarkStatusChange(Body):
    type = MessageType.MARK_STATUS
    mark_id: Name
    status: MarkStatus
    reason: Text = ""
    effective_at: AwareDatetime

    @property
    def subject(self) -> str:
        return self.mark_id

    def anchor(self) -> Anchor | None:
        return TxType.MARK_STATUS, {"mark_id": self.mark_id, "status": self.status.value}


class ExhibitAlert(Body):
    """A suspect exhibit at a trade fair, for the organiser and the local enforcement."""

    type = MessageType.EXHIBIT_ALERT
    alert_id: ULID
    fair: Name
    organiser: Name = Field(description="the fair organiser's organisation name")
    region_code: RegionCode = Field(description="where the fair takes place")
    booth: Name | None = None
    exhibit: Name
    right_id: Name
    reason: Text

    @property
    def subject(self) -> str:
        return self.alert_id


BODIES: dict[MessageType, type[Body]] = {
    body.type: body
    for body in (
        LeadPush,
        LeadRecord,
        LeadFeedback,
        ClueTransfer,
        FilingSubmission,
        FilingReceipt,
        CrossBorderAlert,
        MarkStatusChange,
        ExhibitAlert,
    )
}
