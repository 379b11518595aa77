from datetime import datetime

from pydantic import Field, field_validator

from ipfed.exchange.messages import LeadKind
from ipfed.nodes.schemas import InputModel, OutputModel
from ipfed.registry.identifiers import NiceClass, RegionCode

# --- leads, reviews, tasks -----------------------------------------------------


class Precision(OutputModel):
    kind: LeadKind
    confirmed: int
    rejected: int
    open: int
    precision: float | None = Field(description="confirmed / (confirmed + rejected)")


class ConfirmedLead(OutputModel):
    """What is pushed for a confirmed lead to the nodes that must act on it."""

    lead_id: str
    kind: LeadKind
    right_id: str = Field(description="the mark or patent number as the listing has it")
    score: float
    reasons: list[str]
    seller: str
    region_code: str | None = Field(description="jurisdiction found by source tracing")
    evidence_sha256: str
    ledger_position: int | None
    confirmed_at: datetime | None
    pushed_at: datetime | None = Field(description="when it was queued for the exchange")


class TaskScope(InputModel):
    """What a detection task screens: listings of these classes, sources and region,
    against these rights (all of the node's rights if none are named)."""

    rights: list[str] = Field(default=[], max_length=1000, description="right numbers")
    nice_classes: list[NiceClass] = Field(default=[], max_length=45)
    sources: list[str] = Field(default=[], max_length=100, description="platforms or fairs")
    region: RegionCode | None = Field(default=None, description="where sellers trace to")

    @property
    def region_prefix(self) -> str | None:
        """330000 -> 33, 330100 -> 3301: the codes of every division within the region."""
        if self.region is None:
            return None
        prefix = self.region
        while prefix.endswith("00"):
            prefix = prefix[:-2]
        return prefix


class TaskOut(OutputModel):
    id: str
    origin: str
    requested_by: str
    scope: dict[str, object]
    status: str
    total: int
    screened: int
    leads: int
    error: str | None
    created_at: datetime
    finished_at: datetime | None


class LeadOut(OutputModel):
    id: str
    listing_id: str
    kind: LeadKind
    right_ref: str
    score: float
    priority: float
    reasons: list[str]
    status: str
    region_code: str | None
    evidence_id: str
    task_id: str | None
    created_at: datetime
    decided_at: datetime | None
    ledger_position: int | None


class ReviewIn(InputModel):
    decision: str = Field(pattern="^(confirm|reject|request_info)$")
    reason: str = Field(min_length=1, max_length=2000)


class ReviewOut(OutputModel):
    reviewer: str
    decision: str
    reason: str
    created_at: datetime
    person: str | None = Field(
        default=None,
        description="the name of the person who decided, shown to the node's own office "
        "(none for an API key)",
    )

    @field_validator("person", mode="before")
    @classmethod
    def _name(cls, person: object) -> object:
        return getattr(person, "name", person)


class PlaceOut(OutputModel):
    role: str
    text: str
    region_code: str | None


class TraceOut(OutputModel):
    seller: str
    matched_by: str | None
    participant: str | None
    uscc: str | None
    shops: list[str]
    places: list[PlaceOut]
    region_code: str | None
    reason: str


class ScreenIn(InputModel):
    """A listing to screen on the spot, without storing it."""

    title: str = Field(min_length=1, max_length=1000)
    seller: str = Field(min_length=1, max_length=300)
    nice_class: NiceClass | None = None
    description: str = Field(default="", max_length=20000)


class FindingOut(OutputModel):
    kind: LeadKind
    right_id: str
    score: float
    reasons: list[str]


class MonitoringOut(OutputModel):
    directory: str
    subject: str
    weight: float
    detail: dict[str, object]
    computed_at: datetime
