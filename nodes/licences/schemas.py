from datetime import date

from pydantic import AliasChoices, Field, model_validator

from ipfed.nodes.licences.models import LicenceKind
from ipfed.nodes.rights.schemas import RightRef
from ipfed.nodes.schemas import InputModel, OutputModel
from ipfed.registry.identifiers import USCC


class LicenceIn(InputModel):
    right: str = Field(
        min_length=1,
        validation_alias=AliasChoices("right", "right_id", "right_number"),
        description="number of the licensed or transferred right",
    )
    kind: LicenceKind = LicenceKind.LICENCE
    licensee: str = Field(min_length=1, max_length=300)
    licensee_uscc: USCC | None = None
    scope: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None

    @model_validator(mode="after")
    def _period_in_order(self) -> "LicenceIn":
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("a licence cannot end before it starts")
        return self


class LicenceOut(OutputModel):
    id: str
    right: RightRef
    kind: LicenceKind
    licensee: str
    licensee_uscc: str | None
    scope: str | None
    starts_on: date | None
    ends_on: date | None
