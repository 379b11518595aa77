"""The registers the office browses in its console, and what each one's search box
matches: a right's number, name or holder; a licence's licensee or right; a
participant's name, credit code or shop; a key product's name, category or right.
Rows come a page at a time in id (creation) order, as every list of the node does."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from ipfed.nodes.database.core import RecordMixin, page_of
from ipfed.nodes.licences.models import Licence
from ipfed.nodes.participants.models import Participant, Shop
from ipfed.nodes.products.models import KeyProduct
from ipfed.nodes.rights.models import GeographicalIndication, Patent, Right, RightKind, Trademark
from ipfed.nodes.rights.service import canonical_number, has_nice_class
from ipfed.registry.identifiers import InvalidIdentifier

Matches = Callable[[str], ColumnElement[bool]]


@dataclass(frozen=True)
class Register:
    """A register: its name (in the page's address and, as ``register_<name>``, in the
    catalogue, and the kind of file ``ipfed import`` reads into it), its rows, and
    what its search box matches."""

    name: str
    model: type[RecordMixin]
    matches: Matches
    nice_classes: bool = False  # searched by Nice class too


def _containing(*columns: InstrumentedAttribute[Any]) -> Matches:
    return lambda text: or_(*(column.icontains(text, autoescape=True) for column in columns))


def _right(model: type[Right], kind: RightKind, *more: InstrumentedAttribute[Any]) -> Matches:
    """A right whose number, name or holder contains the text, or whose number is the
    text written another way (``ZL202020556601.1`` for ``202020556601.1``)."""
    containing = _containing(model.number, model.name, model.holder, *more)

    def matches(text: str) -> ColumnElement[bool]:
        try:
            return or_(containing(text), model.number == canonical_number(kind, text))
        except InvalidIdentifier:
            return containing(text)

    return matches


def _licence(text: str) -> ColumnElement[bool]:
    of_right = Licence.right.has(_containing(Right.number, Right.name, Right.holder)(text))
    return or_(_containing(Licence.licensee, Licence.licensee_uscc)(text), of_right)


def _participant(text: str) -> ColumnElement[bool]:
    shop = Participant.shops.any(_containing(Shop.shop_id)(text))
    return or_(_containing(Participant.name, Participant.uscc)(text), shop)


def _key_product(text: str) -> ColumnElement[bool]:
    of_right = KeyProduct.rights.any(_containing(Right.number, Right.name)(text))
    return or_(_containing(KeyProduct.name, KeyProduct.category)(text), of_right)


REGISTERS = {
    register.name: register
    for register in (
        Register(
            "trademarks", Trademark, _right(Trademark, RightKind.TRADEMARK), nice_classes=True
        ),
        Register("patents", Patent, _right(Patent, RightKind.PATENT)),
        Register(
            "geographical-indications",
            GeographicalIndication,
            _right(
                GeographicalIndication,
                RightKind.GEOGRAPHICAL_INDICATION,
                GeographicalIndication.product,
            ),
        ),
        Register("licences", Licence, _licence),
        Register("participants", Participant, _participant),
        Register("key-products", KeyProduct, _key_product),
    )
}


def browse(
    *,
    db: Session,
    register: Register,
    text: str = "",
    nice_class: int | None = None,
    after: str | None = None,
    limit: int = 25,
) -> tuple[Sequence[Any], str | None]:
    """A page of the register's rows matching ``text`` (and ``nice_class``), and the
    cursor of the next page (None on the last)."""
    query = page_of(register.model, after=after, limit=limit + 1)
    if text:
        query = query.where(register.matches(text))
    if nice_class is not None and register.nice_classes:
        query = query.where(has_nice_class(nice_class))
    rows = db.scalars(query).all()
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)
