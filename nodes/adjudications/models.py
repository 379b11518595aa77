from datetime import date
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipfed.nodes.database.core import Base, RecordMixin, str_enum
from ipfed.nodes.rights.models import Right


class Decision(StrEnum):
    INFRINGEMENT = "infringement"
    NO_INFRINGEMENT = "no_infringement"
    SETTLED = "settled"
    WITHDRAWN = "withdrawn"


class Adjudication(RecordMixin, Base):
    __tablename__ = "adjudications"

    case_no: Mapped[str] = mapped_column(String(100), unique=True)
    right_id: Mapped[str] = mapped_column(ForeignKey("rights.id", ondelete="CASCADE"), index=True)
    defendant: Mapped[str] = mapped_column(String(300), index=True)
    defendant_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    decision: Mapped[Decision] = mapped_column(str_enum(Decision, "decision"))
    summary: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    authority: Mapped[str] = mapped_column(String(300))
    authority_region: Mapped[str | None] = mapped_column(String(6))

    right: Mapped[Right] = relationship(lazy="joined")
