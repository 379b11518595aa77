"""Pieces shared by every domain's pydantic models."""

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator


class InputModel(BaseModel):
    """Base of every model that parses outside input (API bodies, import rows).

    Blank cells and strings count as missing, surrounding whitespace is
    dropped, unknown fields are an error.
    """

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_missing(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data


class OutputModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a search; pass ``next`` back as ``after`` for the following page."""

    items: list[T]
    next: str | None = Field(
        default=None, description="cursor of the next page, absent on the last one"
    )
