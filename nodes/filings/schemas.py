from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from ipfed.nodes.filings.calendar import FilingKind, Period, Standing
from ipfed.nodes.filings.document import SignedReceipt, TypicalCase
from ipfed.nodes.filings.models import FilingState
from ipfed.nodes.filings.statistics import Statistics
from ipfed.nodes.schemas import InputModel, OutputModel

PeriodText = Annotated[str, AfterValidator(lambda text: str(Period.parse(text)))]
SectionText = Annotated[str, StringConstraints(max_length=20000)]
CaseNo = Annotated[str, StringConstraints(min_length=1, max_length=100)]

# The free-text sections each kind of filing has, with their headings.
SECTIONS: dict[FilingKind, dict[str, str]] = {
    FilingKind.IMPLEMENTATION_PLAN: {
        "goals": "工作目标",
        "measures": "主要措施",
        "division_of_work": "任务分工",
        "schedule": "进度安排",
    },
    FilingKind.SEMIANNUAL_SUMMARY: {
        "overview": "工作概况",
        "achievements": "主要成效",
        "problems": "存在问题",
        "next_steps": "下一步工作",
    },
    FilingKind.MONTHLY_REPORT: {
        "progress": "本月工作进展",
        "problems": "存在问题",
        "next_month": "下月工作安排",
    },
}
SECTIONS[FilingKind.ANNUAL_SUMMARY] = SECTIONS[FilingKind.SEMIANNUAL_SUMMARY]


class FilingIn(InputModel):
    kind: FilingKind
    period: PeriodText = Field(description="2024 (a year), 2024-H1 (a half year), 2024-03")


class CaseChoice(InputModel):
    case_no: CaseNo
    summary: SectionText | None = Field(default=None, description="default: the case's own")


class FillIn(InputModel):
    """What the office writes; sections given replace those of the same name."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    sections: dict[str, SectionText] = {}
    typical_cases: list[CaseChoice] | None = Field(
        default=None, max_length=50, description="replaces the chosen cases"
    )
    refresh_statistics: bool = Field(default=False, description="recompute from today's data")


class FilingSummary(OutputModel):
    id: str
    region_code: str
    office: str
    kind: FilingKind
    period: str
    version: int
    supersedes_id: str | None
    state: FilingState
    title: str
    sha256: str | None
    signed_at: datetime | None
    received_at: datetime | None
    delivery_error: str | None
    created_at: datetime
    submitted_by: str | None = Field(
        default=None, description="the name of the person who submitted it (none for an API key)"
    )

    @field_validator("submitted_by", mode="before")
    @classmethod
    def _name(cls, person: object) -> object:
        return getattr(person, "name", person)


class FilingOut(FilingSummary):
    statistics: Statistics
    sections: dict[str, str]
    typical_cases: list[TypicalCase]


class ReceiptOut(OutputModel):
    filing_id: str
    received_by: str
    received_at: datetime
    ledger_position: int
    receipt: SignedReceipt


class ObligationOut(OutputModel):
    region_code: str
    region_name: str
    kind: FilingKind
    period: str
    due: date
    standing: Standing
    filing_id: str | None = None
    filed_on: date | None = None


class Preview(OutputModel):
    """The document as it would be signed, and what is still missing."""

    document: dict[str, Any]
    missing_sections: list[str]
