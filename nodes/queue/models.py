from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipfed.nodes.accounts.models import Account
from ipfed.nodes.database.core import Base, UTCDateTime


class Claim(Base):
    """Who is working on an item of the queue: claimed by a person, or assigned to one.

    The item is named by its kind and its own record's id, so every kind of item (a
    detector's lead today, a complaint or a clone alert later) is claimed the same way
    without a foreign key to each kind's table."""

    __tablename__ = "queue_claims"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    assignee_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    assigned_by_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    assignee: Mapped[Account] = relationship(foreign_keys=[assignee_id], lazy="joined")
    assigned_by: Mapped[Account] = relationship(foreign_keys=[assigned_by_id], lazy="joined")
