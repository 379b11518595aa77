"""What a bulk writer reports about the items it could not store."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ItemError:
    index: int  # position of the item in the batch
    field: str | None
    code: str
    reason: str
