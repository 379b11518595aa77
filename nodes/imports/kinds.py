"""What can be imported: for each kind, the row model and the bulk writer of its domain."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

from pydantic import AliasChoices, TypeAdapter
from sqlalchemy.orm import Session

from ipfed.nodes.adjudications.schemas import AdjudicationIn
from ipfed.nodes.adjudications.service import store_adjudications
from ipfed.nodes.database.bulk import Columns
from ipfed.nodes.errors import InvalidInput
from ipfed.nodes.imports.batch import ItemError, columns_of
from ipfed.nodes.licences.schemas import LicenceIn
from ipfed.nodes.licences.service import store_licences
from ipfed.nodes.listings.schemas import ListingIn
from ipfed.nodes.listings.service import store_listings
from ipfed.nodes.participants.schemas import ParticipantIn
from ipfed.nodes.participants.service import participant_columns, store_participants
from ipfed.nodes.products.schemas import KeyProductIn
from ipfed.nodes.products.service import store_key_products
from ipfed.nodes.rights.models import RightKind
from ipfed.nodes.rights.schemas import GeographicalIndicationIn, PatentIn, TrademarkIn
from ipfed.nodes.rights.service import store_rights, trademark_columns
from ipfed.nodes.schemas import InputModel

Store = Callable[..., list[ItemError]]


@dataclass(frozen=True)
class ImportKind:
    """A kind of row: its model, how the node stores it, and how validated rows
    become columns (where they are validated, maybe in another process; by
    default, one column per field)."""

    name: str
    row_model: type[InputModel]
    store: Store  # called as store(db=session, columns=...)
    aliases: tuple[str, ...] = ()
    to_columns: Callable[[Sequence[Any]], Columns] = columns_of

    @cached_property
    def batch_model(self) -> TypeAdapter[list[Any]]:
        """Validates a list of rows in one call (cheaper per row than one call each)."""
        return TypeAdapter(list[self.row_model])  # type: ignore[name-defined]

    def names(self) -> dict[str, list[str]]:
        """Each field of the row model with every column name it accepts."""
        names: dict[str, list[str]] = {}
        for name, field in self.row_model.model_fields.items():
            alias = field.validation_alias
            choices = alias.choices if isinstance(alias, AliasChoices) else [alias or name]
            names[name] = [name, *(c for c in choices if isinstance(c, str) and c != name)]
        return names

    def columns(self) -> set[str]:
        """Every column name the row model accepts."""
        return {column for choices in self.names().values() for column in choices}

    def as_written(self, header: list[str]) -> dict[str, str]:
        """Maps every accepted name to the one this file's header uses, for error reports."""
        written = {}
        for choices in self.names().values():
            used = next((c for c in choices if c in header), choices[-1])
            written.update(dict.fromkeys(choices, used))
        return written

    def add(self, db: Session, items: Sequence[Any]) -> list[ItemError]:
        """Store validated rows; errors name them by position."""
        return self.store(db=db, columns=self.to_columns(items))


KINDS = {
    kind.name: kind
    for kind in (
        ImportKind("patents", PatentIn, partial(store_rights, kind=RightKind.PATENT)),
        ImportKind(
            "trademarks",
            TrademarkIn,
            partial(store_rights, kind=RightKind.TRADEMARK),
            ("marks",),
            to_columns=trademark_columns,
        ),
        ImportKind(
            "geographical-indications",
            GeographicalIndicationIn,
            partial(store_rights, kind=RightKind.GEOGRAPHICAL_INDICATION),
            ("gis",),
        ),
        ImportKind("licences", LicenceIn, store_licences, ("licenses", "transfers")),
        ImportKind("adjudications", AdjudicationIn, store_adjudications),
        ImportKind("key-products", KeyProductIn, store_key_products, ("products",)),
        ImportKind(
            "participants", ParticipantIn, store_participants, to_columns=participant_columns
        ),
        ImportKind("listings", ListingIn, store_listings, ("exhibits",)),
    )
}
_BY_ALIAS = {alias: kind for kind in KINDS.values() for alias in kind.aliases}


def import_kind(name: str) -> ImportKind:
    kind = KINDS.get(name) or _BY_ALIAS.get(name)
    if kind is None:
        raise InvalidInput(
            f"cannot import {name!r}; kinds are {', '.join(KINDS)}", code="unknown_import_kind"
        )
    return kind
