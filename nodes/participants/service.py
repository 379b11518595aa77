from collections.abc import Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ipfed.nodes.database.bulk import Columns, bulk_insert, stamped, without
from ipfed.nodes.database.core import page_of
from ipfed.nodes.imports.batch import ItemError, columns_of
from ipfed.nodes.participants.models import Participant, Shop
from ipfed.nodes.participants.schemas import ParticipantIn


def participant_columns(items: Sequence[ParticipantIn]) -> Columns:
    columns = columns_of(items)
    columns["shops"] = [[(s.platform, s.shop_id) for s in shops] for shops in columns["shops"]]
    return columns


def store_participants(*, db: Session, columns: Columns) -> list[ItemError]:
    """Store participants (``participant_columns``) whose credit code and shops no
    stored participant has."""
    codes = {code for code in columns["uscc"] if code}
    shops = {shop for row in columns["shops"] for shop in row}
    taken_codes = set(db.scalars(select(Participant.uscc).where(Participant.uscc.in_(codes))))
    taken_shops = (
        {
            (platform, shop_id)
            for platform, shop_id in db.execute(
                select(Shop.platform, Shop.shop_id).where(
                    tuple_(Shop.platform, Shop.shop_id).in_(shops)
                )
            )
        }
        if shops
        else set()
    )
    errors: list[ItemError] = []
    for index, (code, row) in enumerate(zip(columns["uscc"], columns["shops"], strict=True)):
        keys = set(row)
        if code and code in taken_codes:
            errors.append(ItemError(index, "uscc", "duplicate", f"{code} is stored"))
        elif keys & taken_shops:
            shop = ", ".join(f"{p}:{s}" for p, s in sorted(keys & taken_shops))
            errors.append(ItemError(index, "shops", "duplicate", f"shop {shop} is stored"))
        else:
            taken_codes.add(code)
            taken_shops |= keys
    columns = stamped(without(columns, [e.index for e in errors]))
    shop_rows = [
        {"participant_id": participant_id, "platform": platform, "shop_id": shop_id}
        for participant_id, row in zip(columns["id"], columns.pop("shops"), strict=True)
        for platform, shop_id in set(row)
    ]
    bulk_insert(db, Participant, columns)
    bulk_insert(db, Shop, shop_rows)
    return errors


def search_participants(
    *,
    db: Session,
    q: str | None = None,
    uscc: str | None = None,
    region_code: str | None = None,
    platform: str | None = None,
    shop_id: str | None = None,
    after: str | None = None,
    limit: int = 50,
) -> Sequence[Participant]:
    query = page_of(Participant, after=after, limit=limit)
    if q:
        query = query.where(Participant.name.icontains(q, autoescape=True))
    if uscc:
        query = query.where(Participant.uscc == uscc.strip().upper())
    if region_code:
        query = query.where(Participant.region_code == region_code)
    if platform or shop_id:
        shop = Shop.participant_id == Participant.id
        if platform:
            shop &= Shop.platform == platform
        if shop_id:
            shop &= Shop.shop_id == shop_id
        query = query.where(select(Shop.id).where(shop).exists())
    return db.scalars(query).all()
