"""Post-exhibition tracking: a fair's flagged exhibits looked for among online listings."""

from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.detection.exhibits import Stretches
from ipfed.detection.text import compact
from ipfed.nodes.errors import Conflict
from ipfed.nodes.fairs.models import Fair
from ipfed.nodes.fairs.schemas import (
    ExhibitLead,
    FairOut,
    ListingMatch,
    TrackedExhibit,
    TrackingReport,
)
from ipfed.nodes.fairs.service import CHINA, flagged_exhibits
from ipfed.nodes.listings.models import Channel, Listing
from ipfed.nodes.participants.models import Participant

LISTINGS_AT_ONCE = 5_000  # read from the database


def track_online(*, db: Session, fair: Fair, today: date) -> TrackingReport:
    """Look for the fair's flagged exhibits among online listings captured since it
    opened: sold by the same exhibitor, or under a look-alike title, in the same class."""
    if today <= fair.ends_on:
        raise Conflict(f"the fair runs until {fair.ends_on}", code="fair_not_over")
    leads = flagged_exhibits(db=db, fair_id=fair.id)
    matches: list[list[ListingMatch]] = [[] for _ in leads]
    # What to look for: each lead's name and look-alike texts, and who sells it: the
    # exhibitor's compacted name, or its shops as "platform:shop" (no compacted name has ":").
    keys, key_lead = Stretches(), []
    by_seller: dict[str, set[int]] = {}
    for n, lead in enumerate(leads):
        texts = {compact(lead.exhibit.name)} | {
            compact(flag.evidence["text"]) for flag in lead.exhibit.flags if "text" in flag.evidence
        }
        for text in sorted(texts - {""}):
            keys.add(text)
            key_lead.append(n)
        sellers = {compact(lead.exhibitor.name)}
        participant = db.scalar(select(Participant).where(Participant.uscc == lead.exhibitor.uscc))
        sellers |= (
            {f"{s.platform}:{s.shop_id}" for s in participant.shops} if participant else set()
        )
        for seller in sellers:
            by_seller.setdefault(seller, set()).add(n)
    query = (
        select(Listing)
        .where(Listing.channel == Channel.ONLINE)
        .where(Listing.captured_at >= datetime.combine(fair.starts_on, time(), CHINA))
        .order_by(Listing.id)
        .execution_options(yield_per=LISTINGS_AT_ONCE)
    )
    searched = 0
    for listing in db.scalars(query) if leads else ():
        searched += 1
        similar: dict[int, float] = {}
        for key, (score, _) in keys.within(compact(listing.title)).items():
            similar[key_lead[key]] = max(score, similar.get(key_lead[key], 0.0))
        same_seller = by_seller.get(compact(listing.seller), set()) | by_seller.get(
            f"{listing.source}:{listing.seller_shop_id}", set()
        )
        for n in similar.keys() | same_seller:
            match = _match(leads[n], listing, n in same_seller, similar.get(n, 0.0))
            if match is not None:
                matches[n].append(match)
    return TrackingReport(
        fair=FairOut.model_validate(fair),
        listings_searched=searched,
        exhibits=[TrackedExhibit(lead=x, matches=m) for x, m in zip(leads, matches, strict=True)],
    )


def _match(
    lead: ExhibitLead, listing: Listing, same_seller: bool, similarity: float
) -> ListingMatch | None:
    nice_class = lead.exhibit.nice_class
    if nice_class is not None and listing.nice_class not in (None, nice_class):
        return None  # goods of another class are another product
    reasons = ["same_seller"] if same_seller else []
    reasons += ["similar_title"] if similarity else []
    return ListingMatch(
        listing_id=listing.id,
        source=listing.source,
        url=listing.url,
        title=listing.title,
        seller=listing.seller,
        price=listing.price,
        captured_at=listing.captured_at,
        reasons=reasons,
        similarity=similarity,
    )
