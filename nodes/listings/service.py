from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ipfed.nodes.database.bulk import bulk_insert
from ipfed.nodes.database.core import new_ids, utcnow
from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.listings.models import Channel, Listing
from ipfed.nodes.listings.schemas import ListingIn


def add_listings(*, db: Session, items: Sequence[ListingIn]) -> list[ItemError]:
    keys = {(i.channel.value, i.source, i.external_id) for i in items if i.external_id}
    stored = (
        set(
            db.execute(
                select(Listing.channel, Listing.source, Listing.external_id).where(
                    tuple_(Listing.channel, Listing.source, Listing.external_id).in_(keys)
                )
            ).all()
        )
        if keys
        else set()
    )
    seen = {(str(c), s, e) for c, s, e in stored}
    errors, rows = [], []
    now = utcnow()
    ids = iter(new_ids(len(items)))
    for index, item in enumerate(items):
        key = (item.channel.value, item.source, item.external_id)
        if item.external_id and key in seen:
            errors.append(
                ItemError(index, "external_id", "duplicate", f"{item.external_id} is stored")
            )
            continue
        seen.add(key)
        rows.append(
            {
                "id": next(ids),
                "created_at": now,
                **item.model_dump(),
                "channel": item.channel.value,
            }
        )
    bulk_insert(db, Listing.__table__, rows)  # type: ignore[arg-type]
    return errors


def search_listings(
    *,
    db: Session,
    q: str | None = None,
    channel: Channel | None = None,
    source: str | None = None,
    seller: str | None = None,
    captured_from: datetime | None = None,
    captured_to: datetime | None = None,
    after: str | None = None,
    limit: int = 50,
) -> Sequence[Listing]:
    query = select(Listing).order_by(Listing.id).limit(limit)
    if q:
        query = query.where(Listing.title.icontains(q, autoescape=True))
    if channel:
        query = query.where(Listing.channel == channel)
    if source:
        query = query.where(Listing.source == source)
    if seller:
        query = query.where(Listing.seller.icontains(seller, autoescape=True))
    if captured_from:
        query = query.where(Listing.captured_at >= captured_from)
    if captured_to:
        query = query.where(Listing.captured_at < captured_to)
    if after:
        query = query.where(Listing.id > after)
    return db.scalars(query).all()
