from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from ipfed.nodes.database.bulk import insert_new
from ipfed.nodes.database.core import new_ids, page_of, utcnow
from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.listings.models import Channel, Listing
from ipfed.nodes.listings.schemas import ListingIn


def add_listings(*, db: Session, items: Sequence[ListingIn]) -> list[ItemError]:
    now = utcnow()
    rows = [
        {"id": listing_id, "created_at": now, **item.model_dump(), "channel": item.channel.value}
        for listing_id, item in zip(new_ids(len(items)), items, strict=True)
    ]
    duplicates = insert_new(
        db,
        Listing,
        rows,
        unique=("channel", "source", "external_id"),
    )
    return [
        ItemError(i, "external_id", "duplicate", f"{items[i].external_id} is already stored")
        for i in duplicates
    ]


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
    query = page_of(Listing, after=after, limit=limit)
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
    return db.scalars(query).all()
