"""Clone detection: one unit code seen where one genuine unit cannot be.

A unit code is printed once on one product. Two sightings too far apart for the
time between them, or offers of the same unit by two different sellers, mean the
code was copied.

What a sighting is worth: the node vouches for when it arrived and for whose API
key sent it; where it was made, and which seller offered the unit, are that
organisation's word. So a sighting's time is its receipt, never a time its sender
chose, and a suspicion resting on one organisation's sightings alone says so: that
organisation could have made both up.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ipfed.ledger.identity import OFFICES, Role

EARTH_RADIUS_KM = 6371.0
MAX_SPEED_KMH = 900.0  # faster than an airliner
NEARBY_KM = 50.0  # scans this close together are always plausible (GPS error, one city)
# A sighting sent later than this after its sender says it was made (a scanner that
# was offline) could have been made at any time before it arrived: its receipt does
# not time it, so it is left out of travel times.
PROMPT = timedelta(minutes=10)


class Trust(StrEnum):
    """Whose word a sighting's place and seller are."""

    OFFICIAL = "official"  # an office or enforcement: a public body answerable for it
    PARTY = "party"  # a platform, fair organizer or rights holder: a party with interests


def trust_of(role: Role) -> Trust:
    return Trust.OFFICIAL if role in OFFICES or role is Role.ENFORCEMENT else Trust.PARTY


@dataclass(frozen=True)
class Sighting:
    key: str  # the stored event's id
    org: str  # the organisation whose key sent it
    time: datetime  # when the node received it
    reported: datetime | None = None  # when its sender says it was made: not trusted
    latitude: float | None = None
    longitude: float | None = None
    seller: str | None = None  # set when the unit was offered for sale

    @property
    def prompt(self) -> bool:
        """Sent as it was made, so that its receipt times it."""
        return self.reported is None or self.time - self.reported <= PROMPT


@dataclass(frozen=True)
class Suspicion:
    kind: str  # impossible_travel | multiple_sellers
    reason: str
    earlier: Sighting
    new: Sighting

    @property
    def organisations(self) -> int:
        """How many organisations' sightings it rests on: one alone could have made it up."""
        return len({self.earlier.org, self.new.org})


def distance_km(a: Sighting, b: Sighting) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))  # type: ignore[arg-type]
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _travel(seen: Sighting, new: Sighting) -> str | None:
    km = distance_km(seen, new)
    if km is None or km <= NEARBY_KM or not (seen.prompt and new.prompt):
        return None
    hours = abs((new.time - seen.time).total_seconds()) / 3600
    if hours and km / hours <= MAX_SPEED_KMH:
        return None
    return f"seen {km:.0f} km away {hours * 60:.0f} minutes apart"


def _sellers(seen: Sighting, new: Sighting) -> str | None:
    if new.seller is None or seen.seller is None or seen.seller == new.seller:
        return None
    return f"offered by {seen.seller} and by {new.seller}"


def suspicions(new: Sighting, earlier: list[Sighting]) -> list[Suspicion]:
    """Why ``new`` cannot be the unit of the ``earlier`` sightings: at most one of each
    kind, resting on another organisation's sighting where one does, else the latest."""
    found: dict[str, Suspicion] = {}
    rules = {"impossible_travel": _travel, "multiple_sellers": _sellers}
    # Other organisations' sightings first, the latest first.
    for seen in sorted(earlier, key=lambda s: (s.org == new.org, -s.time.timestamp())):
        for kind, rule in rules.items():
            reason = rule(seen, new) if kind not in found else None
            if reason is not None:
                found[kind] = Suspicion(kind, reason, seen, new)
    return [found[kind] for kind in rules if kind in found]
