"""Clone detection: one unit code seen where one genuine unit cannot be.

A unit code is printed once on one product. Two sightings too far apart for the
time between them, or offers of the same unit by two different sellers, mean the
code was copied.
"""

import math
from dataclasses import dataclass
from datetime import datetime

EARTH_RADIUS_KM = 6371.0
MAX_SPEED_KMH = 900.0  # faster than an airliner
NEARBY_KM = 50.0  # scans this close together are always plausible (GPS error, one city)


@dataclass(frozen=True)
class Sighting:
    key: str  # the stored event's id
    time: datetime
    latitude: float | None = None
    longitude: float | None = None
    seller: str | None = None  # set when the unit was offered for sale


@dataclass(frozen=True)
class Suspicion:
    kind: str  # impossible_travel | multiple_sellers
    reason: str
    earlier: Sighting


def distance_km(a: Sighting, b: Sighting) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))  # type: ignore[arg-type]
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def suspicions(new: Sighting, earlier: list[Sighting]) -> list[Suspicion]:
    """Why ``new`` cannot be the unit of the ``earlier`` sightings (at most one of each kind)."""
    found: dict[str, Suspicion] = {}
    for seen in sorted(earlier, key=lambda s: s.time, reverse=True):
        km = distance_km(seen, new)
        if "impossible_travel" not in found and km is not None and km > NEARBY_KM:
            hours = abs((new.time - seen.time).total_seconds()) / 3600
            if hours == 0 or km / hours > MAX_SPEED_KMH:
                found["impossible_travel"] = Suspicion(
                    "impossible_travel",
                    f"seen {km:.0f} km away {hours * 60:.0f} minutes apart",
                    seen,
                )
        if (
            "multiple_sellers" not in found
            and new.seller is not None
            and seen.seller is not None
            and seen.seller != new.seller
        ):
            found["multiple_sellers"] = Suspicion(
                "multiple_sellers", f"offered by {seen.seller} and by {new.seller}", seen
            )
    return list(found.values())
