"""Reading, searching and bulk-adding rights."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from ipfed.nodes.database.bulk import Columns, bulk_insert, insert_new, row_count, stamped
from ipfed.nodes.database.core import page_of
from ipfed.nodes.errors import InvalidInput, NotFound
from ipfed.nodes.imports.batch import ItemError, columns_of
from ipfed.nodes.rights.models import (
    DesignImage,
    GeographicalIndication,
    Patent,
    Right,
    RightKind,
    RightStatus,
    Trademark,
    nice_class_mask,
)
from ipfed.nodes.rights.schemas import (
    RightIn,
    TrademarkIn,
)
from ipfed.registry.identifiers import (
    InvalidIdentifier,
    PatentKind,
    parse_patent_number,
    parse_registration_number,
)

R = TypeVar("R", bound=Right)


def canonical_number(kind: RightKind, number: str) -> str:
    """The stored form of a right's number, as written on products or in filings."""
    if kind is RightKind.PATENT:
        return str(parse_patent_number(number))
    return parse_registration_number(number)


def get_right(*, db: Session, kind: RightKind, number: str) -> Right:
    model: type[Right] = _MODELS[kind]
    try:
        key = canonical_number(kind, number)
    except InvalidIdentifier as exc:
        raise InvalidInput(str(exc), code=exc.code) from None
    found = db.scalar(select(model).where(model.number == key))
    if found is None:
        raise NotFound(f"no {kind.replace('_', ' ')} {number}", code=f"{kind}_not_found")
    return found


def right_by_number(*, db: Session, number: str) -> Right:
    """A right of any kind by its number, as a licence or a case names it."""
    found = find_rights(db=db, numbers=[number]).get(number)
    if found is None:
        raise NotFound(f"no right {number}", code="right_not_found")
    return found


def find_rights(*, db: Session, numbers: Sequence[str]) -> dict[str, Right]:
    """Rights of any kind by number, keyed by the number as given; unknown ones are absent."""
    keys: dict[str, str] = {}
    for number in numbers:
        for kind in (RightKind.PATENT, RightKind.TRADEMARK):  # trademark: any registration
            try:
                keys[number] = canonical_number(kind, number)
                break
            except InvalidIdentifier:
                continue
    found = db.scalars(select(Right).where(Right.number.in_(set(keys.values())))).all()
    by_number = {right.number: right for right in found}
    return {given: by_number[key] for given, key in keys.items() if key in by_number}


def search(
    *,
    db: Session,
    model: type[R],
    q: str | None = None,
    holder: str | None = None,
    status: RightStatus | None = None,
    after: str | None = None,
    limit: int = 50,
    where: Callable[[Select[R]], Select[R]] = lambda s: s,
) -> Sequence[R]:
    """Rights of one kind in id order, filtered; ``after`` is the last id of the previous page."""
    query = page_of(model, after=after, limit=limit)
    if q:
        query = query.where(model.name.icontains(q, autoescape=True))
    if holder:
        query = query.where(model.holder.icontains(holder, autoescape=True))
    if status:
        query = query.where(model.status == status)
    return db.scalars(where(query)).all()


def search_patents(
    *, db: Session, kind: PatentKind | None = None, **filters: Any
) -> Sequence[Patent]:
    return search(
        db=db,
        model=Patent,
        where=lambda s: s.where(Patent.patent_kind == kind) if kind else s,
        **filters,
    )


def has_nice_class(nice_class: int) -> ColumnElement[bool]:
    """A trademark registered for goods or services of the class ``nice_class``."""
    return Trademark.nice_class_mask.op("&")(1 << nice_class) != 0


def search_trademarks(
    *,
    db: Session,
    nice_class: int | None = None,
    key_protection: bool | None = None,
    well_known: bool | None = None,
    **filters: Any,
) -> Sequence[Trademark]:
    def where(query: Select[Trademark]) -> Select[Trademark]:
        if nice_class is not None:
            query = query.where(has_nice_class(nice_class))
        if key_protection is not None:
            query = query.where(Trademark.key_protection == key_protection)
        if well_known is not None:
            query = query.where(Trademark.well_known == well_known)
        return query

    return search(db=db, model=Trademark, where=where, **filters)


# --- bulk adding ----------------------------------------------------------


def trademark_columns(items: Sequence[TrademarkIn]) -> Columns:
    return columns_of(items, RightIn.model_fields) | {
        "nice_class_mask": [nice_class_mask(item.nice_classes) for item in items],
        "well_known": [item.well_known for item in items],
        "key_protection": [item.key_protection for item in items],
    }


def store_rights(*, db: Session, kind: RightKind, columns: Columns) -> list[ItemError]:
    """Insert rights that are new, reject numbers already stored or repeated.

    The columns of other kinds stay NULL; a patent's ``design_images`` (a list
    of URIs per row) go to their own table.
    """
    columns = stamped(columns)
    columns["kind"] = [kind.value] * row_count(columns)
    images = columns.pop("design_images", None)
    duplicates = insert_new(db, Right, columns, unique=("kind", "number"))
    if images:
        skipped = set(duplicates)
        bulk_insert(
            db,
            DesignImage,
            [
                {"right_id": right_id, "position": i, "view": f"view {i + 1}", "uri": uri}
                for index, (right_id, uris) in enumerate(zip(columns["id"], images, strict=True))
                if index not in skipped
                for i, uri in enumerate(uris)
            ],
        )
    numbers = columns["number"]
    return [
        ItemError(i, "number", "duplicate", f"{numbers[i]} is already stored") for i in duplicates
    ]


_MODELS: dict[RightKind, type[Right]] = {
    RightKind.PATENT: Patent,
    RightKind.TRADEMARK: Trademark,
    RightKind.GEOGRAPHICAL_INDICATION: GeographicalIndication,
}


def unknown_rights(numbers: Sequence[Sequence[str]], found: dict[str, Right]) -> list[ItemError]:
    """An error for each row whose right numbers name one this node does not hold."""
    errors = []
    for index, row_numbers in enumerate(numbers):
        missing = [n for n in row_numbers if n not in found]
        if missing:
            errors.append(
                ItemError(index, "right", "unknown_right", f"no right {', '.join(missing)}")
            )
    return errors
