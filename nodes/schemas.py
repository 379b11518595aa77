"""Pieces shared by every domain's pydantic models."""

from functools import cache
from typing import Any, Generic, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator


class InputModel(BaseModel):
    """Base of every model that parses outside input (API bodies, import rows):
    surrounding whitespace is dropped, unknown fields are an error, and a boolean is
    no number (pydantic alone takes ``false`` for a longitude of 0)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, key in _not_boolean(cls):
                if isinstance(data.get(key, data.get(name)), bool):
                    raise ValueError(f"{name}: a boolean is not what this field takes")
        return data


def _admits_bool(annotation: Any) -> bool:
    return annotation is bool or annotation is Any or any(map(_admits_bool, get_args(annotation)))


@cache
def _not_boolean(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """The fields of ``model`` that take no boolean: (name, key in the input)."""
    return tuple(
        (name, field.alias or name)
        for name, field in model.model_fields.items()
        if not _admits_bool(field.annotation)
    )


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
