from datetime import date
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipfed.nodes.database.core import Base, RecordMixin, str_enum
from ipfed.registry.identifiers import PatentKind


class RightKind(StrEnum):
    PATENT = "patent"
    TRADEMARK = "trademark"
    GEOGRAPHICAL_INDICATION = "geographical_indication"


class RightStatus(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"  # "registered", for trademarks and indications
    EXPIRED = "expired"
    INVALID = "invalid"


class Right(RecordMixin, Base):
    """A protected right; patents, trademarks and indications extend it (joined tables)."""

    __tablename__ = "rights"
    __table_args__ = (UniqueConstraint("kind", "number"),)
    __mapper_args__ = {"polymorphic_on": "kind"}

    kind: Mapped[RightKind] = mapped_column(str_enum(RightKind, "right_kind"))
    # Canonical official number: patent application number with check
    # character, trademark registration number, indication number.
    number: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(500))
    holder: Mapped[str] = mapped_column(String(300), index=True)
    status: Mapped[RightStatus] = mapped_column(str_enum(RightStatus, "right_status"))
    filing_date: Mapped[date | None] = mapped_column(Date)
    grant_date: Mapped[date | None] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)


class Patent(Right):
    __tablename__ = "patents"
    __mapper_args__ = {"polymorphic_identity": RightKind.PATENT}

    id: Mapped[str] = mapped_column(ForeignKey("rights.id", ondelete="CASCADE"), primary_key=True)
    patent_kind: Mapped[PatentKind] = mapped_column(str_enum(PatentKind, "patent_kind"))
    locarno_class: Mapped[str | None] = mapped_column(String(5))
    independent_claim: Mapped[str | None] = mapped_column(Text)
    design_images: Mapped[list["DesignImage"]] = relationship(
        cascade="all, delete-orphan", order_by="DesignImage.position"
    )


class DesignImage(Base):
    """One view of a design patent's drawings (front, side, perspective, ...)."""

    __tablename__ = "design_images"

    patent_id: Mapped[str] = mapped_column(
        ForeignKey("patents.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    view: Mapped[str] = mapped_column(String(50))
    uri: Mapped[str] = mapped_column(String(2000))


class Trademark(Right):
    __tablename__ = "trademarks"
    __mapper_args__ = {"polymorphic_identity": RightKind.TRADEMARK}

    id: Mapped[str] = mapped_column(ForeignKey("rights.id", ondelete="CASCADE"), primary_key=True)
    well_known: Mapped[bool] = mapped_column(Boolean, default=False)
    key_protection: Mapped[bool] = mapped_column(Boolean, default=False)
    classes: Mapped[list["TrademarkClass"]] = relationship(
        cascade="all, delete-orphan", order_by="TrademarkClass.nice_class", lazy="selectin"
    )

    @property
    def nice_classes(self) -> list[int]:
        return [c.nice_class for c in self.classes]


class TrademarkClass(Base):
    """A Nice class a trademark is registered for; a table so class filters use an index."""

    __tablename__ = "trademark_classes"

    trademark_id: Mapped[str] = mapped_column(
        ForeignKey("trademarks.id", ondelete="CASCADE"), primary_key=True
    )
    nice_class: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class GeographicalIndication(Right):
    __tablename__ = "geographical_indications"
    __mapper_args__ = {"polymorphic_identity": RightKind.GEOGRAPHICAL_INDICATION}

    id: Mapped[str] = mapped_column(ForeignKey("rights.id", ondelete="CASCADE"), primary_key=True)
    product: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(Text)  # the protected production area
    region_code: Mapped[str | None] = mapped_column(String(6))
