"""Trade fairs, their exhibitors and marked exhibits, checked before and during the fair."""

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipfed.nodes.database.core import Base, RecordMixin, str_enum


class Fair(RecordMixin, Base):
    __tablename__ = "fairs"

    name: Mapped[str] = mapped_column(String(300))
    organizer: Mapped[str] = mapped_column(String(300), index=True)  # the organizer's org
    venue: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str] = mapped_column(String(6))
    category: Mapped[str] = mapped_column(String(100), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    exhibitors: Mapped[list["Exhibitor"]] = relationship(
        back_populates="fair", order_by="Exhibitor.id"
    )


class Exhibitor(RecordMixin, Base):
    __tablename__ = "exhibitors"

    fair_id: Mapped[str] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    uscc: Mapped[str] = mapped_column(String(18))
    booth: Mapped[str | None] = mapped_column(String(50))

    fair: Mapped[Fair] = relationship(back_populates="exhibitors")
    exhibits: Mapped[list["Exhibit"]] = relationship(
        back_populates="exhibitor", order_by="Exhibit.id"
    )


class ExhibitCheck(StrEnum):
    CLEARED = "cleared"
    FLAGGED = "flagged"


class Exhibit(RecordMixin, Base):
    __tablename__ = "exhibits"

    fair_id: Mapped[str] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    exhibitor_id: Mapped[str] = mapped_column(
        ForeignKey("exhibitors.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    nice_class: Mapped[int | None]
    locarno_class: Mapped[str | None] = mapped_column(String(5))
    mark_token: Mapped[str | None] = mapped_column(Text)
    mark_id: Mapped[str | None] = mapped_column(String(26), index=True)  # once verified
    check: Mapped[ExhibitCheck] = mapped_column(str_enum(ExhibitCheck, "exhibit_check"))
    # [{"code": ..., "reason": ...}]: why the exhibit is flagged, newest last
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    fair: Mapped[Fair] = relationship()
    exhibitor: Mapped[Exhibitor] = relationship(back_populates="exhibits")
