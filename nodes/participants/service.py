from collections.abc import Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ipfed.nodes.database.bulk import bulk_insert
from ipfed.nodes.database.core import new_ids, page_of, utcnow
from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.participants.models import Participant, Shop
from ipfed.nodes.participants.schemas import ParticipantIn


def add_participants(*, db: Session, items: Sequence[ParticipantIn]) -> list[ItemError]:
    codes = {item.uscc for item in items if item.uscc}
    shops = {(s.platform, s.shop_id) for item in items for s in item.shops}
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
    participants, shop_rows = [], []
    now = utcnow()
    ids = iter(new_ids(len(items)))
    for index, item in enumerate(items):
        keys = {(s.platform, s.shop_id) for s in item.shops}
        if item.uscc and item.uscc in taken_codes:
            errors.append(ItemError(index, "uscc", "duplicate", f"{item.uscc} is stored"))
            continue
        if keys & taken_shops:
            shop = ", ".join(f"{p}:{s}" for p, s in sorted(keys & taken_shops))
            errors.append(ItemError(index, "shops", "duplicate", f"shop {shop} is stored"))
            continue
        taken_codes.add(item.uscc)
        taken_shops |= keys
        participant_id = next(ids)
        participants.append(
            {"id": participant_id, "created_at": now, **item.model_dump(exclude={"shops"})}
        )
        shop_rows += [
            {"participant_id": participant_id, "platform": p, "shop_id": s} for p, s in keys
        ]
    bulk_insert(db, Participant, participants)
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
