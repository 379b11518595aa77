from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipfed.nodes.database.core import Base, RecordMixin, UTCDateTime, str_enum


class Channel(StrEnum):
    ONLINE = "online"
    FAIR = "fair"


class Listing(RecordMixin, Base):
    __tablename__ = "listings"
    # The same observation imported twice is one listing.
    __table_args__ = (UniqueConstraint("channel", "source", "external_id"),)

    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    source: Mapped[str] = mapped_column(String(200))  # platform, or the fair's name
    external_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    nice_class: Mapped[int | None] = mapped_column(Integer)
    seller: Mapped[str] = mapped_column(String(300), index=True)
    seller_shop_id: Mapped[str | None] = mapped_column(String(200))
    booth: Mapped[str | None] = mapped_column(String(50))  # fair exhibits only
    image_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
