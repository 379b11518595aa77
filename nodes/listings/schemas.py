from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AliasChoices, AwareDatetime, BeforeValidator, Field, model_validator

from ipfed.nodes.database.core import utcnow
from ipfed.nodes.listings.models import Channel
from ipfed.nodes.schemas import InputModel, OutputModel
from ipfed.registry.identifiers import NiceClass

UrlList = Annotated[
    list[str],
    BeforeValidator(
        lambda v: [u.strip() for u in v.split(";") if u.strip()] if isinstance(v, str) else v
    ),
]


class ListingIn(InputModel):
    channel: Channel = Channel.ONLINE
    source: str = Field(
        default="unspecified",
        max_length=200,
        validation_alias=AliasChoices("source", "platform", "fair"),
        description="the platform, or the trade fair's name",
    )
    external_id: str | None = Field(
        default=None, max_length=200, validation_alias=AliasChoices("external_id", "listing_id")
    )
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")
    title: str = Field(min_length=1, max_length=1000)
    description: str | None = None
    price: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    nice_class: NiceClass | None = None
    seller: str = Field(
        min_length=1, max_length=300, validation_alias=AliasChoices("seller", "exhibitor")
    )
    seller_shop_id: str | None = Field(default=None, max_length=200)
    booth: str | None = Field(default=None, max_length=50)
    image_urls: UrlList = []
    captured_at: AwareDatetime = Field(default_factory=utcnow)

    @model_validator(mode="after")
    def _booth_only_at_fairs(self) -> "ListingIn":
        if self.booth and self.channel is not Channel.FAIR:
            raise ValueError("only trade-fair exhibits have a booth")
        return self


class ListingOut(OutputModel):
    id: str
    channel: Channel
    source: str
    external_id: str | None
    url: str | None
    title: str
    description: str | None
    price: Decimal | None
    currency: str
    nice_class: int | None
    seller: str
    seller_shop_id: str | None
    booth: str | None
    image_urls: list[str]
    captured_at: datetime
