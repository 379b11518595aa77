from typing import Annotated

from pydantic import BeforeValidator, Field

from ipfed.nodes.rights.schemas import RightRef
from ipfed.nodes.schemas import InputModel, OutputModel
from ipfed.registry.identifiers import RegionCode

NumberList = Annotated[
    list[str],
    BeforeValidator(
        lambda v: [n.strip() for n in v.split(";") if n.strip()] if isinstance(v, str) else v
    ),
]


class KeyProductIn(InputModel):
    category: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=300)
    description: str | None = None
    region_code: RegionCode | None = None
    rights: NumberList = Field(default=[], description="numbers of the rights it embodies")


class KeyProductOut(OutputModel):
    id: str
    category: str
    name: str
    description: str | None
    region_code: str | None
    rights: list[RightRef]
