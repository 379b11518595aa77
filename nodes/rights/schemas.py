from datetime import date
from typing import Annotated

from pydantic import AliasChoices, BeforeValidator, Field, model_validator

from ipfed.nodes.rights.models import RightKind, RightStatus
from ipfed.nodes.schemas import InputModel, OutputModel
from ipfed.registry.identifiers import (
    LocarnoClass,
    NiceClasses,
    PatentKind,
    PatentNo,
    RegionCode,
    RegistrationNo,
    parse_patent_number,
)
from ipfed.registry.rights import Status

UriList = Annotated[
    list[str],
    BeforeValidator(lambda v: [u for u in v.split(";") if u.strip()] if isinstance(v, str) else v),
]


class RightIn(InputModel):
    number: str  # each kind validates its own numbering
    name: str = Field(min_length=1, max_length=500, validation_alias=AliasChoices("name", "title"))
    holder: str = Field(min_length=1, max_length=300)
    status: Status = RightStatus.GRANTED
    filing_date: date | None = None
    grant_date: date | None = None
    expiry_date: date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> "RightIn":
        filed, granted, expires = self.filing_date, self.grant_date, self.expiry_date
        if (
            (filed and granted and filed > granted)
            or (granted and expires and granted > expires)
            or (filed and expires and filed > expires)
        ):
            raise ValueError("filing, grant and expiry dates must be in that order")
        if self.status is RightStatus.PENDING and self.grant_date is not None:
            raise ValueError("a pending right has no grant date")
        return self


class PatentIn(RightIn):
    number: PatentNo = Field(validation_alias=AliasChoices("number", "patent_no"))
    patent_kind: PatentKind = Field(validation_alias=AliasChoices("patent_kind", "kind"))
    locarno_class: LocarnoClass | None = None
    independent_claim: str | None = None
    design_images: UriList = []

    @model_validator(mode="after")
    def _kind_matches_number(self) -> "PatentIn":
        number_kind = parse_patent_number(self.number).kind
        if number_kind is not self.patent_kind:
            raise ValueError(
                f"{self.number} is a {number_kind} number (type digit), not a {self.patent_kind}"
            )
        if self.locarno_class and self.patent_kind is not PatentKind.DESIGN:
            raise ValueError("only design patents have a Locarno class")
        return self


class TrademarkIn(RightIn):
    number: RegistrationNo = Field(validation_alias=AliasChoices("number", "reg_no", "mark_id"))
    nice_classes: NiceClasses
    well_known: bool = False
    key_protection: bool = False


class GeographicalIndicationIn(RightIn):
    number: RegistrationNo = Field(validation_alias=AliasChoices("number", "gi_no"))
    product: str = Field(min_length=1, max_length=200)
    area: str = Field(min_length=1)
    region_code: RegionCode | None = None


class RightOut(OutputModel):
    id: str
    kind: RightKind
    number: str
    name: str
    holder: str
    status: RightStatus
    filing_date: date | None
    grant_date: date | None
    expiry_date: date | None


class DesignImageOut(OutputModel):
    view: str
    uri: str


class PatentOut(RightOut):
    patent_kind: PatentKind
    locarno_class: str | None
    independent_claim: str | None
    design_images: list[DesignImageOut]


class TrademarkOut(RightOut):
    nice_classes: list[int]
    well_known: bool
    key_protection: bool


class GeographicalIndicationOut(RightOut):
    product: str
    area: str
    region_code: str | None


class RightRef(OutputModel):
    """How other records name the right they concern."""

    kind: RightKind
    number: str
    name: str
