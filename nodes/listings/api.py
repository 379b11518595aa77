from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ipfed.nodes.auth.dependencies import current_caller
from ipfed.nodes.database.core import get_or_404
from ipfed.nodes.http import DB, After, Limit, Moment, page
from ipfed.nodes.listings.models import Channel, Listing
from ipfed.nodes.listings.schemas import ListingOut
from ipfed.nodes.listings.service import search_listings
from ipfed.nodes.schemas import Page

router = APIRouter(tags=["listings"], dependencies=[Depends(current_caller)])


@router.get("/listings")
def list_listings(
    db: DB,
    q: Annotated[str | None, Query(max_length=200, description="part of the title")] = None,
    channel: Channel | None = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
    seller: Annotated[str | None, Query(max_length=300)] = None,
    captured_from: Moment | None = None,
    captured_to: Moment | None = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[ListingOut]:
    rows = search_listings(
        db=db,
        q=q,
        channel=channel,
        source=source,
        seller=seller,
        captured_from=captured_from,
        captured_to=captured_to,
        after=after,
        limit=limit,
    )
    return page(ListingOut, rows, limit)


@router.get("/listings/{listing_id}")
def get_listing(db: DB, listing_id: str) -> ListingOut:
    listing = get_or_404(
        db, Listing, listing_id, message=f"no listing {listing_id}", code="listing_not_found"
    )
    return ListingOut.model_validate(listing)
