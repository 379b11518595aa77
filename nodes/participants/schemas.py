from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from ipfed.nodes.schemas import InputModel, OutputModel
from ipfed.registry.identifiers import USCC, RegionCode


class ShopRef(InputModel):
    platform: str = Field(min_length=1, max_length=100)
    shop_id: str = Field(min_length=1, max_length=200)


def _shops(value: Any) -> Any:
    """``"taobao:1234;jd:5678"`` (a CSV cell) -> shop references."""
    if not isinstance(value, str):
        return value
    shops = []
    for entry in filter(None, (e.strip() for e in value.split(";"))):
        platform, sep, shop_id = entry.partition(":")
        if not sep:
            raise ValueError(f"shop {entry!r} is not written platform:shop_id")
        shops.append({"platform": platform, "shop_id": shop_id})
    return shops


class ParticipantIn(InputModel):
    name: str = Field(min_length=1, max_length=300)
    uscc: USCC | None = None
    registered_address: str | None = Field(default=None, max_length=500)
    region_code: RegionCode | None = None
    shops: Annotated[list[ShopRef], BeforeValidator(_shops)] = []


class ShopOut(OutputModel):
    platform: str
    shop_id: str


class ParticipantOut(OutputModel):
    id: str
    name: str
    uscc: str | None
    registered_address: str | None
    region_code: str | None
    shops: list[ShopOut]
