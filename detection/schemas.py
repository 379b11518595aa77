"""The rows of the CSV files ``ipfed screen`` reads (``batch``)."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from ipfed.registry.identifiers import NiceClass, NiceClasses, PatentKind, PatentNo
from ipfed.registry.rights import Status


class Row(BaseModel):
    """Surrounding whitespace is dropped, unknown fields are an error."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class MarkRow(Row):
    mark_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=500)
    nice_classes: NiceClasses
    holder: str = Field(min_length=1, max_length=300)


class PatentRow(Row):
    patent_no: PatentNo
    kind: PatentKind
    title: str = Field(min_length=1, max_length=500)
    holder: str = Field(min_length=1, max_length=300)
    status: Status
    grant_date: date | None = None
    expiry_date: date | None = None


class LicenceRow(Row):
    right_id: str = Field(min_length=1, max_length=64)
    licensee: str = Field(min_length=1, max_length=300)


class ListingRow(Row):
    listing_id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=1000)
    nice_class: NiceClass | None = None
    seller: str = Field(min_length=1, max_length=300)
