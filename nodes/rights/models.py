"""The IP rights profile: one table for every kind of right (single-table inheritance).

One table keeps a national-scale register cheap to load and to reference:
a trademark is one row, licences, adjudications and marks point at
``rights.id`` whatever the kind, and the columns of other kinds stay NULL.
"""

from datetime import date
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipfed.nodes.database.core import Base, RecordMixin, str_enum
from ipfed.registry.identifiers import PatentKind

# The register's vocabulary, shared with the detection engine; importable from here too.
from ipfed.registry.rights import RightStatus as RightStatus
from ipfed.registry.rights import nice_class_mask as nice_class_mask
from ipfed.registry.rights import nice_classes


class RightKind(StrEnum):
    PATENT = "patent"
    TRADEMARK = "trademark"
    GEOGRAPHICAL_INDICATION = "geographical_indication"


class Right(RecordMixin, Base):
    __tablename__ = "rights"
    # number first: rights are looked up by number across kinds (licences, cases).
    __table_args__ = (UniqueConstraint("number", "kind"),)
    __mapper_args__ = {"polymorphic_on": "kind"}

    kind: Mapped[RightKind] = mapped_column(str_enum(RightKind, "right_kind"))
    # Canonical official number: patent application number with its check
    # character, trademark registration number, indication number.
    number: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(500))
    holder: Mapped[str] = mapped_column(String(300))
    status: Mapped[RightStatus] = mapped_column(str_enum(RightStatus, "right_status"))
    filing_date: Mapped[date | None] = mapped_column(Date)
    grant_date: Mapped[date | None] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)


class Patent(Right):
    __mapper_args__ = {"polymorphic_identity": RightKind.PATENT}

    patent_kind: Mapped[PatentKind | None] = mapped_column(str_enum(PatentKind, "patent_kind"))
    locarno_class: Mapped[str | None] = mapped_column(String(5))
    independent_claim: Mapped[str | None] = mapped_column(Text)
    design_images: Mapped[list["DesignImage"]] = relationship(
        cascade="all, delete-orphan", order_by="DesignImage.position", lazy="selectin"
    )


class DesignImage(Base):
    """One view of a design patent's drawings (front, side, perspective, ...)."""

    __tablename__ = "design_images"

    right_id: Mapped[str] = mapped_column(
        ForeignKey("rights.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    view: Mapped[str] = mapped_column(String(50))
    uri: Mapped[str] = mapped_column(String(2000))


class Trademark(Right):
    __mapper_args__ = {"polymorphic_identity": RightKind.TRADEMARK}

    nice_class_mask: Mapped[int | None] = mapped_column(BigInteger)
    well_known: Mapped[bool | None] = mapped_column(Boolean)
    key_protection: Mapped[bool | None] = mapped_column(Boolean)

    @property
    def nice_classes(self) -> list[int]:
        return nice_classes(self.nice_class_mask or 0)


class GeographicalIndication(Right):
    __mapper_args__ = {"polymorphic_identity": RightKind.GEOGRAPHICAL_INDICATION}

    product: Mapped[str | None] = mapped_column(String(200))
    area: Mapped[str | None] = mapped_column(Text)  # the protected production area
    region_code: Mapped[str | None] = mapped_column(String(6))
