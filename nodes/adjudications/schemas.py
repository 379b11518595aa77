from datetime import date

from pydantic import AliasChoices, Field

from ipfed.nodes.adjudications.models import Decision
from ipfed.nodes.rights.schemas import RightRef
from ipfed.nodes.schemas import InputModel, OutputModel
from ipfed.registry.identifiers import USCC, RegionCode


class AdjudicationIn(InputModel):
    case_no: str = Field(min_length=1, max_length=100)
    right: str = Field(min_length=1, validation_alias=AliasChoices("right", "right_number"))
    defendant: str = Field(min_length=1, max_length=300)
    defendant_uscc: USCC | None = None
    decision: Decision
    summary: str | None = None
    decided_on: date
    authority: str = Field(min_length=1, max_length=300)
    authority_region: RegionCode | None = None


class AdjudicationOut(OutputModel):
    id: str
    case_no: str
    right: RightRef
    defendant: str
    defendant_uscc: str | None
    decision: Decision
    summary: str | None
    decided_on: date
    authority: str
    authority_region: str | None
