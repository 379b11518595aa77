"""Source tracing: from a listing's seller to the market participant behind it (by
shop, name or USCC), the places tied to it (registered address, where goods ship
from, earlier cases) and so the jurisdiction (GB/T 2260 region code) that must act.

Where goods ship from is where they are made or stored, so it decides first;
then the registered address; then the region of an earlier case against the
same enterprise.
"""

import re
from dataclasses import dataclass
from functools import cache

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session
from stdnum import numdb

from ipfed.nodes.adjudications.models import Adjudication
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.participants.models import Participant, Shop
from ipfed.registry.identifiers import region_name

_SHIPPING = re.compile(
    r"(?:发货地|发货|产地|厂址|生产地|仓库|仓储|ships? from|origin)"
    r"\s*[:：]?\s*([^\s,，;；|]{2,30})",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Place:
    role: str  # shipping_origin, registered_address or earlier_case
    text: str
    region_code: str | None


@dataclass(frozen=True, slots=True)
class Trace:
    seller: str
    matched_by: str | None  # shop, name or None (no participant found)
    participant: str | None
    uscc: str | None
    shops: tuple[str, ...]
    places: tuple[Place, ...]
    region_code: str | None  # the jurisdiction that must act
    reason: str

    @property
    def deciding(self) -> Place | None:
        """The place that decided the jurisdiction."""
        return next((p for p in self.places if p.region_code), None)


@cache
def _regions() -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    """(province name -> code prefix, prefix -> [(county or city name, code)])."""
    provinces: dict[str, str] = {}
    counties: dict[str, list[tuple[str, str]]] = {}
    table = numdb.get("cn/loc")
    for _, low, _, props, children in table.prefixes:
        name = props.get("province", "")
        if not name:
            continue
        provinces[name] = low
        short = re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", name)
        provinces.setdefault(short, low)
        for _, rest, _, _, _ in children:
            code = low + rest
            try:
                county = region_name(code)
            except ValueError:
                continue  # abolished
            if county not in ("市辖区", "县", name) and len(county) >= 2:
                counties.setdefault(low, []).append((county, code))
    return provinces, counties


def region_of(text: str) -> str | None:
    """The most specific current division an address names, e.g. 浙江省义乌市… -> 330782."""
    provinces, counties = _regions()
    found = [low for name, low in provinces.items() if name in text]
    candidates = (
        [c for low in found for c in counties.get(low, [])]
        if found
        else [c for entries in counties.values() for c in entries]
    )
    named = {code for name, code in candidates if name in text}
    for county in (True, False):  # a county (xx xx 01-99) names a place closer than a city
        codes = {code for code in named if (code[4:] != "00") is county}
        if len(codes) == 1:
            return codes.pop()
    if found:
        return found[0] + "0000"
    return None


def _participant(db: Session, listing: Listing) -> tuple[Participant | None, str | None]:
    if listing.seller_shop_id:
        found = db.scalars(
            select(Participant)
            .join(Shop, Shop.participant_id == Participant.id)
            .where(Shop.platform == listing.source, Shop.shop_id == listing.seller_shop_id)
        ).first()
        if found is not None:
            return found, "shop"
    found = db.scalars(select(Participant).where(Participant.name == listing.seller)).first()
    return (found, "name") if found is not None else (None, None)


def trace(*, db: Session, listing: Listing) -> Trace:
    participant, matched_by = _participant(db, listing)
    places: list[Place] = []
    for match in _SHIPPING.finditer(f"{listing.title} {listing.description or ''}"):
        places.append(Place("shipping_origin", match[1], region_of(match[1])))
    if participant is not None and participant.registered_address:
        code = participant.region_code or region_of(participant.registered_address)
        places.append(Place("registered_address", participant.registered_address, code))
    names = [listing.seller] + ([participant.name] if participant else [])
    conditions: list[ColumnElement[bool]] = [Adjudication.defendant.in_(names)]
    if participant is not None and participant.uscc:
        conditions.append(Adjudication.defendant_uscc == participant.uscc)
    for case in db.scalars(
        select(Adjudication).where(or_(*conditions)).order_by(Adjudication.decided_on.desc())
    ):
        places.append(Place("earlier_case", case.case_no, case.authority_region))
    decided = next((p for p in places if p.region_code), None)
    reason = (
        f"{decided.role.replace('_', ' ')}: {decided.text}"
        if decided
        else "no place of the seller is known"
    )
    return Trace(
        seller=listing.seller,
        matched_by=matched_by,
        participant=participant.name if participant else None,
        uscc=participant.uscc if participant else None,
        shops=tuple(f"{s.platform}:{s.shop_id}" for s in participant.shops) if participant else (),
        places=tuple(places),
        region_code=decided.region_code if decided else None,
        reason=reason,
    )
