from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipfed.nodes.database.core import Base, RecordMixin
from ipfed.nodes.rights.models import Right

key_product_rights = Table(
    "key_product_rights",
    Base.metadata,
    Column("product_id", ForeignKey("key_products.id", ondelete="CASCADE"), primary_key=True),
    Column("right_id", ForeignKey("rights.id", ondelete="CASCADE"), primary_key=True),
)


class KeyProduct(RecordMixin, Base):
    __tablename__ = "key_products"

    category: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    region_code: Mapped[str | None] = mapped_column(String(6))
    rights: Mapped[list[Right]] = relationship(secondary=key_product_rights, lazy="selectin")
