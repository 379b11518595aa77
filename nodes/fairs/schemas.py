import unicodedata
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    AliasChoices,
    AwareDatetime,
    BaseModel,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ipfed.nodes.fairs.models import ExhibitCheck
from ipfed.nodes.schemas import InputModel, OutputModel
from ipfed.registry.identifiers import USCC, LocarnoClass, NiceClass, RegionCode


def category_key(category: str) -> str:
    """Organizers share infringement records within a category: one category, one string."""
    return " ".join(unicodedata.normalize("NFKC", category).split())


def _category(value: str) -> str:
    key = category_key(value)
    if not 1 <= len(key) <= 100:  # NFKC can lengthen text: ㍿ is 株式会社
        raise ValueError("a category has 1 to 100 characters")
    return key


Category = Annotated[str, AfterValidator(_category)]


class FairInput(InputModel):
    """Text that PostgreSQL can store: no NUL characters."""

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("NUL characters are not allowed")
        return value


MarkText = Annotated[
    str,
    Field(min_length=20, max_length=2000, description="the mark's token, or its QR code's URL"),
]


class ExhibitIn(FairInput):
    name: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    nice_class: NiceClass | None = None
    locarno_class: LocarnoClass | None = None
    mark: MarkText | None = Field(
        default=None, validation_alias=AliasChoices("mark", "mark_token", "qr_url")
    )

    @model_validator(mode="after")
    def _one_class(self) -> Self:
        if (self.nice_class is None) == (self.locarno_class is None):
            raise PydanticCustomError(
                "one_class", "an exhibit has a Nice class or a Locarno class (one of them)"
            )
        return self


class ExhibitorIn(FairInput):
    name: str = Field(min_length=1, max_length=300)
    uscc: USCC
    booth: str | None = Field(default=None, max_length=50)
    exhibits: list[ExhibitIn] = Field(default=[], max_length=1000)


def _each_once(exhibitors: list[ExhibitorIn]) -> list[ExhibitorIn]:
    codes = [e.uscc for e in exhibitors]
    if len(set(codes)) != len(codes):
        raise ValueError("an exhibitor (credit code) is listed twice")
    return exhibitors


ExhibitorList = Annotated[list[ExhibitorIn], AfterValidator(_each_once)]


class Exhibitors(FairInput):
    """Exhibitors added to a registered fair."""

    exhibitors: ExhibitorList = Field(min_length=1, max_length=5000)


class FairIn(FairInput):
    name: str = Field(min_length=1, max_length=300)
    venue: str = Field(min_length=1, max_length=300)
    region_code: RegionCode
    category: Category
    starts_on: date
    ends_on: date
    exhibitors: ExhibitorList = Field(default=[], max_length=5000)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("the fair ends before it starts")
        return self


class ExhibitRow(FairInput):
    """One row of an organizer's exhibit file (CSV or JSON): an exhibit and who shows it."""

    exhibitor: str = Field(min_length=1, max_length=300)
    uscc: USCC
    booth: str | None = Field(default=None, max_length=50)
    exhibit: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    nice_class: NiceClass | None = None
    locarno_class: LocarnoClass | None = None
    mark: MarkText | None = Field(
        default=None, validation_alias=AliasChoices("mark", "mark_token", "qr_url")
    )

    def exhibit_in(self) -> ExhibitIn:
        return ExhibitIn(
            name=self.exhibit,
            description=self.description,
            nice_class=self.nice_class,
            locarno_class=self.locarno_class,
            mark=self.mark,
        )


class PatrolScanIn(FairInput):
    """A mark read at a booth during the fair."""

    token: MarkText
    seen_at: AwareDatetime | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


# --- out --------------------------------------------------------------------


class FlagDecision(StrEnum):
    CLEARED = "cleared"  # the exhibit may be shown: the flag no longer counts
    UPHELD = "upheld"  # the flag stands


class FlagReview(BaseModel):
    """A person's decision on one flag, with the reason."""

    decision: FlagDecision
    reason: str
    person: str | None  # the account id of who decided (None: an API key)
    by: str  # the organisation
    at: datetime


class Flag(BaseModel):
    code: str  # a verification error's code, imitates_trademark, clone_suspected, ...
    reason: str
    at: datetime
    evidence: dict[str, str] = {}  # the trademark imitated, the scan event, ...
    review: FlagReview | None = None


class ExhibitOut(OutputModel):
    id: str
    exhibitor_id: str
    name: str
    description: str | None
    nice_class: int | None
    locarno_class: str | None
    mark_token: str | None
    mark_id: str | None
    check: ExhibitCheck
    flags: list[Flag]


class ExhibitorOut(OutputModel):
    id: str
    name: str
    uscc: str
    booth: str | None
    exhibits: list[ExhibitOut]


class FairOut(OutputModel):
    id: str
    name: str
    organizer: str
    venue: str
    region_code: str
    category: str
    starts_on: date
    ends_on: date
    created_at: datetime


class CheckReport(BaseModel):
    """A fair's registration and the outcome of its checks."""

    fair: FairOut
    exhibits: int
    cleared: int
    flagged: int
    flags_by_code: dict[str, int]
    exhibitors: list[ExhibitorOut]


class ExhibitorRef(OutputModel):
    id: str
    name: str
    uscc: str
    booth: str | None


class ExhibitLead(BaseModel):
    """A flagged exhibit with what a reviewer needs to judge it."""

    exhibit: ExhibitOut
    exhibitor: ExhibitorRef
    fair: FairOut


class ListingMatch(BaseModel):
    listing_id: str
    source: str
    url: str | None
    title: str
    seller: str
    price: Decimal | None
    captured_at: datetime
    reasons: list[str]  # same_seller, similar_title
    similarity: float  # of the title to the exhibit, 0-100


class TrackedExhibit(BaseModel):
    lead: ExhibitLead
    matches: list[ListingMatch]


class TrackingReport(BaseModel):
    """Post-exhibition tracking: the flagged exhibits found for sale online."""

    fair: FairOut
    listings_searched: int
    exhibits: list[TrackedExhibit]


class PatrolOutcome(BaseModel):
    exhibit: ExhibitOut
    valid: bool
    new_flags: list[Flag]
    event_id: str | None = None  # the EPCIS event, for marks this node issued
