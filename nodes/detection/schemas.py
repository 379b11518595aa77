from datetime import date, datetime
from enum import StrEnum

from pydantic import Field, model_validator

from ipfed.nodes.rights.schemas import Status
from ipfed.nodes.schemas import InputModel, OutputModel
from ipfed.registry.identifiers import NiceClass, NiceClasses, PatentKind, PatentNo, RegionCode


class LeadKind(StrEnum):
    TRADEMARK = "trademark"
    PATENT_MARKING = "patent_marking"
    DESIGN = "design"
    INVENTION = "invention"


# --- the CSV files of `ipfed screen` ------------------------------------------


class MarkRow(InputModel):
    mark_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=500)
    nice_classes: NiceClasses
    holder: str = Field(min_length=1, max_length=300)


class PatentRow(InputModel):
    patent_no: PatentNo
    kind: PatentKind
    title: str = Field(min_length=1, max_length=500)
    holder: str = Field(min_length=1, max_length=300)
    status: Status
    grant_date: date | None = None
    expiry_date: date | None = None


class LicenceRow(InputModel):
    right_id: str = Field(min_length=1, max_length=64)
    licensee: str = Field(min_length=1, max_length=300)


class ListingRow(InputModel):
    listing_id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=1000)
    nice_class: NiceClass | None = None
    seller: str = Field(min_length=1, max_length=300)


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
