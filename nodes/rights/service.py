"""Reading, searching and bulk-adding rights."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ipfed.nodes.database.bulk import Columns, bulk_insert, insert_new
from ipfed.nodes.database.core import new_ids, page_of, utcnow
from ipfed.nodes.errors import InvalidInput, NotFound
from ipfed.nodes.imports.batch import ItemError
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
    GeographicalIndicationIn,
    PatentIn,
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
            query = query.where(Trademark.nice_class_mask.op("&")(1 << nice_class) != 0)
        if key_protection is not None:
            query = query.where(Trademark.key_protection == key_protection)
        if well_known is not None:
            query = query.where(Trademark.well_known == well_known)
        return query

    return search(db=db, model=Trademark, where=where, **filters)


# --- bulk adding ----------------------------------------------------------


def _add_rights(
    db: Session,
    kind: RightKind,
    items: Sequence[RightIn],
    kind_columns: Callable[[Sequence[Any]], Columns],
    design_images: Callable[[str, Any], list[dict[str, Any]]] = lambda _id, _item: [],
) -> list[ItemError]:
    """Insert rights that are new, reject numbers already stored or repeated.

    Rows go to the database as columns; the columns of other kinds stay NULL.
    """
    count = len(items)
    ids = new_ids(count)
    columns: Columns = {
        "id": ids,
        "created_at": [utcnow()] * count,
        "kind": [kind.value] * count,
        "number": [item.number for item in items],
        "name": [item.name for item in items],
        "holder": [item.holder for item in items],
        "status": [item.status.value for item in items],
        "filing_date": [item.filing_date for item in items],
        "grant_date": [item.grant_date for item in items],
        "expiry_date": [item.expiry_date for item in items],
        **kind_columns(items),
    }
    duplicates = insert_new(db, Right, columns, unique=("kind", "number"))
    skipped = set(duplicates)
    images = [
        image
        for index, (right_id, item) in enumerate(zip(ids, items, strict=True))
        if index not in skipped
        for image in design_images(right_id, item)
    ]
    bulk_insert(db, DesignImage, images)
    return [
        ItemError(i, "number", "duplicate", f"{items[i].number} is already stored")
        for i in duplicates
    ]


def add_patents(*, db: Session, items: Sequence[PatentIn]) -> list[ItemError]:
    return _add_rights(
        db,
        RightKind.PATENT,
        items,
        lambda items: {
            "patent_kind": [item.patent_kind.value for item in items],
            "locarno_class": [item.locarno_class for item in items],
            "independent_claim": [item.independent_claim for item in items],
        },
        lambda right_id, item: [
            {"right_id": right_id, "position": i, "view": f"view {i + 1}", "uri": uri}
            for i, uri in enumerate(item.design_images)
        ],
    )


def add_trademarks(*, db: Session, items: Sequence[TrademarkIn]) -> list[ItemError]:
    return _add_rights(
        db,
        RightKind.TRADEMARK,
        items,
        lambda items: {
            "nice_class_mask": [nice_class_mask(item.nice_classes) for item in items],
            "well_known": [item.well_known for item in items],
            "key_protection": [item.key_protection for item in items],
        },
    )


def add_geographical_indications(
    *, db: Session, items: Sequence[GeographicalIndicationIn]
) -> list[ItemError]:
    return _add_rights(
        db,
        RightKind.GEOGRAPHICAL_INDICATION,
        items,
        lambda items: {
            "product": [item.product for item in items],
            "area": [item.area for item in items],
            "region_code": [item.region_code for item in items],
        },
    )


_MODELS: dict[RightKind, type[Right]] = {
    RightKind.PATENT: Patent,
    RightKind.TRADEMARK: Trademark,
    RightKind.GEOGRAPHICAL_INDICATION: GeographicalIndication,
}


T = TypeVar("T")


def unknown_rights(
    items: Sequence[T], found: dict[str, Right], numbers_of: Callable[[T], Sequence[str]]
) -> list[ItemError]:
    """An error for each item that names a right this node does not hold."""
    errors = []
    for index, item in enumerate(items):
        missing = [n for n in numbers_of(item) if n not in found]
        if missing:
            errors.append(
                ItemError(index, "right", "unknown_right", f"no right {', '.join(missing)}")
            )
    return errors
