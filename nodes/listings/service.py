from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from ipfed.nodes.database.bulk import Columns, insert_new, stamped
from ipfed.nodes.database.core import page_of
from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.listings.models import Channel, Listing


def store_listings(*, db: Session, columns: Columns) -> list[ItemError]:
    """Store listings (columns of ``ListingIn`` fields), each (channel, source,
    external id) once."""
    duplicates = insert_new(
        db,
        Listing,
        stamped(columns),
        unique=("channel", "source", "external_id"),
    )
    external_ids = columns["external_id"]
    return [
        ItemError(i, "external_id", "duplicate", f"{external_ids[i]} is already stored")
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
