from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipfed.nodes.database.core import Base, RecordMixin


class Participant(RecordMixin, Base):
    __tablename__ = "participants"

    name: Mapped[str] = mapped_column(String(300), index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    registered_address: Mapped[str | None] = mapped_column(String(500))
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    shops: Mapped[list["Shop"]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class Shop(Base):
    """A participant's shop on an e-commerce platform."""

    __tablename__ = "participant_shops"
    __table_args__ = (UniqueConstraint("platform", "shop_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    participant_id: Mapped[str] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(100))
    shop_id: Mapped[str] = mapped_column(String(200))
