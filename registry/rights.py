"""What a register says of a right, in words every package shares: its legal status
(with the words registers write it in) and its Nice classes as one integer."""

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator


class RightStatus(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"  # "registered", for trademarks and indications
    EXPIRED = "expired"
    INVALID = "invalid"


_STATUS_WORDS = {
    "registered": RightStatus.GRANTED,
    "valid": RightStatus.GRANTED,
    "active": RightStatus.GRANTED,
    "application": RightStatus.PENDING,
    "lapsed": RightStatus.EXPIRED,
    "invalidated": RightStatus.INVALID,
    "revoked": RightStatus.INVALID,
    "cancelled": RightStatus.INVALID,
}


def _status(value: Any) -> Any:
    if isinstance(value, str):
        word = value.strip().lower()
        return _STATUS_WORDS.get(word, word)
    return value


# A right's status as registers and import files write it ("registered", "lapsed", ...).
Status = Annotated[RightStatus, BeforeValidator(_status)]


def nice_class_mask(classes: list[int]) -> int:
    """Nice classes 1-45 as bits of one integer, so a class filter is ``mask & bit``."""
    mask = 0
    for nice_class in classes:
        mask |= 1 << nice_class
    return mask


def nice_classes(mask: int) -> list[int]:
    """The Nice classes of a mask, in order."""
    return [c for c in range(1, 46) if mask >> c & 1]
