from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from ipfed.nodes.http import ULID_PATTERN
from ipfed.nodes.marks.models import BizStep
from ipfed.nodes.rights.schemas import RightRef
from ipfed.nodes.schemas import InputModel, OutputModel
from ipfed.registry.clones import Trust
from ipfed.registry.identifiers import USCC, NiceClass, RegionCode
from ipfed.registry.lifecycle import MarkStatus


class MarkIn(InputModel):
    right_id: str = Field(pattern=ULID_PATTERN)
    holder_uscc: USCC
    licence_id: str | None = Field(
        default=None, pattern=ULID_PATTERN, description="scope the mark to this licence's licensee"
    )
    nice_classes: list[NiceClass] | None = Field(
        default=None, max_length=45, description="trademarks: a subset of the right's classes"
    )
    valid_until: date | None = Field(
        default=None, description="default: when the right (or licence) ends"
    )


class MarkOut(OutputModel):
    id: str
    right: RightRef
    holder: str
    holder_uscc: str
    licensee: str | None
    licensee_uscc: str | None
    nice_classes: list[int]
    locarno_class: str | None
    valid_from: date
    valid_until: date
    status: MarkStatus
    status_reason: str | None
    status_changed_at: datetime
    token: str
    url: str = ""  # what the QR code holds


class StatusChange(InputModel):
    status: MarkStatus
    reason: str = Field(min_length=1, max_length=2000)


class MarkStatusOut(OutputModel):
    """The online status answer: public, small, fast."""

    mark_id: str
    status: MarkStatus
    reason: str | None
    changed_at: datetime
    valid_until: date


# Unit codes one request may ask for: each is signed, so 1,000 take about half a second
# and answer about 300 KB. A larger batch is asked for in several requests with the
# same batch number.
MAX_UNITS_PER_REQUEST = 1000


class UnitsIn(InputModel):
    batch_number: str = Field(min_length=1, max_length=64)
    quantity: int = Field(
        ge=1,
        # Checked by the route, which answers `too_many_units`; documented here.
        json_schema_extra={"maximum": MAX_UNITS_PER_REQUEST},
        description=(
            f"at most {MAX_UNITS_PER_REQUEST:,} per request; for more, ask again with the "
            "same batch number"
        ),
    )


class UnitOut(OutputModel):
    serial: str
    url: str


class UnitBatchOut(OutputModel):
    id: str
    mark_id: str
    batch_number: str
    quantity: int
    units: list[UnitOut]


class ScanIn(InputModel):
    """A mark or unit code read by a platform (listing check), an inspector or a fair."""

    token: str = Field(min_length=20, max_length=2000, description="the token or the QR's URL")
    biz_step: Literal[BizStep.RETAIL_SELLING, BizStep.INSPECTING]
    seen_at: AwareDatetime | None = Field(
        default=None, description="recorded, not trusted: a scan is timed by its arrival"
    )
    place: str | None = Field(default=None, max_length=300)
    region_code: RegionCode | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    seller_uscc: USCC | None = None
    product_class: int | str | None = None


class SightingOut(OutputModel):
    """One sighting an alert rests on, and whose word it is."""

    event_id: str = Field(validation_alias="id")
    org: str = Field(description="the organisation whose API key sent it")
    trust: Trust | None = Field(description="whose word its place and seller are")
    received_at: datetime = Field(validation_alias="event_time", description="its time")
    reported_at: datetime | None = Field(description="the time its sender gave: not trusted")


class CloneAlertOut(OutputModel):
    id: str
    mark_id: str
    unit_serial: str
    kind: str
    reason: str
    first_event_id: str
    second_event_id: str
    organisations: int = Field(description="how many organisations' sightings it rests on")
    single_party: bool = Field(description="one organisation's word alone: it could be made up")
    first: SightingOut = Field(validation_alias="first_event")
    second: SightingOut = Field(validation_alias="second_event")
    created_at: datetime


class ScanResult(BaseModel):
    valid: bool
    error: str | None = None  # the verification error's code
    detail: str | None = None
    mark_id: str | None = None
    unit_serial: str | None = None
    event_id: str | None = None
    alerts: list[CloneAlertOut] = []


class SuspectReportOut(OutputModel):
    """A suspected fake reported from the public verification page."""

    id: str
    mark_id: str | None = Field(description="None: the code names no mark of this office")
    unit_serial: str | None
    verdict: str = Field(description="what the page showed the reporter")
    where_bought: str
    seller: str
    contact: str | None
    photo_type: str | None = Field(
        description="the photo's media type, at /marks/suspect-reports/{id}/photo; None: no photo"
    )
    created_at: datetime
