from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ipfed.ledger.identity import Role
from ipfed.nodes.database.core import Base, RecordMixin, UTCDateTime, str_enum

__all__ = ["ApiKey", "Role"]


class ApiKey(RecordMixin, Base):
    __tablename__ = "api_keys"

    org: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    prefix: Mapped[str] = mapped_column(String(12))  # shown to operators, not secret
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the key
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
