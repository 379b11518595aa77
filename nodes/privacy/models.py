from enum import StrEnum

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ipfed.nodes.database.core import Base, RecordMixin, str_enum

ERASED = "[已删除]"  # stands in for an erased name where the column cannot be empty


class Cause(StrEnum):
    RETENTION = "retention"  # the retention period ran out
    REQUEST = "request"  # a data subject's request, decided by the node's office


class Erasure(RecordMixin, Base):
    """What one erasure did: when, why, on whose decision, and how many records of each
    kind it changed. It names the request, never the subject or the data."""

    __tablename__ = "privacy_erasures"

    cause: Mapped[Cause] = mapped_column(str_enum(Cause, "erasure_cause"))
    request_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    decided_by: Mapped[str | None] = mapped_column(String(300))  # who decided the request
    recorded_by: Mapped[str | None] = mapped_column(String(300))  # the key or operator
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
