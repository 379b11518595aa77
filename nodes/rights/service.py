"""Reading, searching and bulk-adding rights."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from ipfed.nodes.database.bulk import bulk_insert
from ipfed.nodes.database.core import new_id, utcnow
from ipfed.nodes.errors import NotFound
from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.rights.models import (
    GeographicalIndication,
    Patent,
    Right,
    RightKind,
    RightStatus,
    Trademark,
    TrademarkClass,
)
from ipfed.nodes.rights.schemas import (
    GeographicalIndicationIn,
    PatentIn,
    RightIn,
    TrademarkIn,
)
from ipfed.registry.identifiers import InvalidIdentifier, PatentKind, parse_patent_number

R = TypeVar("R", bound=Right)


def canonical_number(kind: RightKind, number: str) -> str:
    """The stored form of a right's number, as written on products or in filings."""
    if kind is RightKind.PATENT:
        return str(parse_patent_number(number))
    return number.strip().upper()


def get_right(*, db: Session, kind: RightKind, number: str) -> Right:
    model: type[Right] = _MODELS[kind]
    try:
        key = canonical_number(kind, number)
    except InvalidIdentifier as exc:
        raise NotFound(str(exc), code=exc.code) from None
    found = db.scalar(select(model).where(model.number == key))
    if found is None:
        raise NotFound(f"no {kind.replace('_', ' ')} {number}", code=f"{kind}_not_found")
    return found


def find_rights(*, db: Session, numbers: Sequence[str]) -> dict[str, Right]:
    """Rights of any kind by number, keyed by the number as given; unknown ones are absent."""
    keys: dict[str, str] = {}
    for number in numbers:
        try:
            keys[number] = str(parse_patent_number(number))
        except InvalidIdentifier:
            keys[number] = number.strip().upper()
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
    where: Callable[[Select[tuple[R]]], Select[tuple[R]]] = lambda s: s,
) -> Sequence[R]:
    """Rights of one kind in id order, filtered; ``after`` is the last id of the previous page."""
    query = select(model).order_by(model.id).limit(limit)
    if q:
        query = query.where(model.name.icontains(q, autoescape=True))
    if holder:
        query = query.where(model.holder.icontains(holder, autoescape=True))
    if status:
        query = query.where(model.status == status)
    if after:
        query = query.where(model.id > after)
    if model is Patent:
        query = query.options(selectinload(Patent.design_images))
    return db.scalars(where(query)).all()


def search_patents(*, db: Session, kind: PatentKind | None = None, **filters: Any) -> Sequence[Patent]:
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
    def where(query: Select[tuple[Trademark]]) -> Select[tuple[Trademark]]:
        if nice_class is not None:
            query = query.where(
                Trademark.classes.any(TrademarkClass.nice_class == nice_class)
            )
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
    detail_rows: Callable[[str, Any], dict[str, list[dict[str, Any]]]],
) -> list[ItemError]:
    """Insert rights that are new, reject numbers already stored or repeated."""
    numbers = {item.number for item in items}
    stored = set(
        db.scalars(select(Right.number).where(Right.kind == kind, Right.number.in_(numbers)))
    )
    errors: list[ItemError] = []
    tables: dict[str, list[dict[str, Any]]] = {"rights": []}
    now = utcnow()
    for index, item in enumerate(items):
        number = item.number
        if number in stored:
            errors.append(ItemError(index, "number", "duplicate", f"{number} is already stored"))
            continue
        stored.add(number)
        right_id = new_id()
        tables["rights"].append(
            {
                "id": right_id,
                "created_at": now,
                "kind": kind.value,
                "number": number,
                "name": item.name,
                "holder": item.holder,
                "status": item.status.value,
                "filing_date": item.filing_date,
                "grant_date": item.grant_date,
                "expiry_date": item.expiry_date,
            }
        )
        for table, rows in detail_rows(right_id, item).items():
            tables.setdefault(table, []).extend(rows)
    metadata = Right.metadata
    for table, rows in tables.items():
        bulk_insert(db, metadata.tables[table], rows)
    return errors


def add_patents(*, db: Session, items: Sequence[PatentIn]) -> list[ItemError]:
    def rows(right_id: str, item: PatentIn) -> dict[str, list[dict[str, Any]]]:
        return {
            "patents": [
                {
                    "id": right_id,
                    "patent_kind": item.patent_kind.value,
                    "locarno_class": item.locarno_class,
                    "independent_claim": item.independent_claim,
                }
            ],
            "design_images": [
                {"patent_id": right_id, "position": i, "view": f"view {i + 1}", "uri": uri}
                for i, uri in enumerate(item.design_images)
            ],
        }

    return _add_rights(db, RightKind.PATENT, items, rows)


def add_trademarks(*, db: Session, items: Sequence[TrademarkIn]) -> list[ItemError]:
    def rows(right_id: str, item: TrademarkIn) -> dict[str, list[dict[str, Any]]]:
        return {
            "trademarks": [
                {
                    "id": right_id,
                    "well_known": item.well_known,
                    "key_protection": item.key_protection,
                }
            ],
            "trademark_classes": [
                {"trademark_id": right_id, "nice_class": c} for c in item.nice_classes
            ],
        }

    return _add_rights(db, RightKind.TRADEMARK, items, rows)


def add_geographical_indications(
    *, db: Session, items: Sequence[GeographicalIndicationIn]
) -> list[ItemError]:
    def rows(right_id: str, item: GeographicalIndicationIn) -> dict[str, list[dict[str, Any]]]:
        return {
            "geographical_indications": [
                {
                    "id": right_id,
                    "product": item.product,
                    "area": item.area,
                    "region_code": item.region_code,
                }
            ]
        }

    return _add_rights(db, RightKind.GEOGRAPHICAL_INDICATION, items, rows)


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
