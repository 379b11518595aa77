"""A batch of import rows between validation and storage.

Validated rows become columns (one list of plain values per name) before they
are stored: columns cross a process boundary cheaply, model instances do not.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from operator import attrgetter
from typing import Any, get_args

from pydantic import BaseModel

from ipfed.nodes.database.bulk import Columns


@dataclass(frozen=True, slots=True)
class ItemError:
    index: int  # position of the row in the batch
    field: str | None
    code: str
    reason: str


def columns_of(items: Sequence[BaseModel], names: Iterable[str] | None = None) -> Columns:
    """The items' fields (or those ``names``) as columns; enum members become their values."""
    if not items:
        return {}
    enums = _enum_fields(type(items[0]))
    return {
        name: (
            [None if value is None else value.value for value in map(attrgetter(name), items)]
            if name in enums
            else list(map(attrgetter(name), items))
        )
        for name in names or type(items[0]).model_fields
    }


@cache
def _enum_fields(model: type[BaseModel]) -> frozenset[str]:
    def is_enum(annotation: Any) -> bool:
        return (isinstance(annotation, type) and issubclass(annotation, Enum)) or any(
            map(is_enum, get_args(annotation))
        )

    return frozenset(
        name for name, field in model.model_fields.items() if is_enum(field.annotation)
    )
