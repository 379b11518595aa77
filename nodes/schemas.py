"""Pieces shared by every domain's pydantic models."""

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class InputModel(BaseModel):
    """Base of every model that parses outside input (API bodies, import rows):
    surrounding whitespace is dropped, unknown fields are an error."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", populate_by_name=True)


class OutputModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# The largest integer a database column (BIGINT) holds: integer ids, cursors and sizes
# from outside stay within it, so one out of range is a 422, not a database error.
BIGINT_MAX = 2**63 - 1

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a search; pass ``next`` back as ``after`` for the following page."""

    items: list[T]
    next: str | None = Field(
        default=None, description="cursor of the next page, absent on the last one"
    )
