"""Pieces shared by every domain's pydantic models."""

from datetime import date, time
from functools import cache
from typing import Any, Generic, TypeVar, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    FutureDate,
    NaiveDatetime,
    PastDate,
    model_validator,
)


class InputModel(BaseModel):
    """Base of every model that parses outside input (API bodies, import rows):
    surrounding whitespace is dropped, unknown fields are an error, and a value of
    the wrong JSON type is one too, where pydantic alone converts it: ``false`` for a
    longitude of 0, ``0`` for a time in 1970."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _no_converted_types(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, key, refused in _refused_types(cls):
                value = data.get(key, data.get(name))
                if isinstance(value, refused):
                    what = "a boolean" if isinstance(value, bool) else "a number"
                    raise ValueError(f"{name}: {what} is not what this field takes")
        return data


_TEMPORAL = (date, time, AwareDatetime, NaiveDatetime, PastDate, FutureDate)


def _admits(annotation: Any, kinds: tuple[Any, ...]) -> bool:
    """Whether ``annotation`` (or any type within it) is one of ``kinds``, or Any."""
    if annotation is Any or (isinstance(annotation, type) and issubclass(annotation, kinds)):
        return True
    return any(_admits(inner, kinds) for inner in get_args(annotation))


@cache
def _refused_types(model: type[BaseModel]) -> tuple[tuple[str, str, tuple[type, ...]], ...]:
    """The fields of ``model`` that refuse booleans or numbers pydantic would convert:
    (name, key in the input, the refused Python types)."""
    refusals = []
    for name, field in model.model_fields.items():
        refused: tuple[type, ...] = ()
        if not _admits(field.annotation, (bool,)):
            refused += (bool,)
        if _admits(field.annotation, _TEMPORAL) and not _admits(field.annotation, (int, float)):
            refused += (int, float)
        if refused:
            refusals.append((name, field.alias or name, refused))
    return tuple(refusals)


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
