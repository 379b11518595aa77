from datetime import date
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipfed.nodes.database.core import Base, RecordMixin, str_enum
from ipfed.nodes.rights.models import Right


class LicenceKind(StrEnum):
    LICENCE = "licence"
    TRANSFER = "transfer"


class Licence(RecordMixin, Base):
    __tablename__ = "licences"

    right_id: Mapped[str] = mapped_column(ForeignKey("rights.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LicenceKind] = mapped_column(str_enum(LicenceKind, "licence_kind"))
    licensee: Mapped[str] = mapped_column(String(300), index=True)
    licensee_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    scope: Mapped[str | None] = mapped_column(Text)  # products, territory, exclusivity
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)

    right: Mapped[Right] = relationship(lazy="joined")
