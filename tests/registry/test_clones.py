"""Clone rules: sightings timed by their arrival, and suspicions that say whose word
they rest on."""

from datetime import UTC, datetime, timedelta
from typing import Any

from ipfed.ledger.identity import Role
from ipfed.registry.clones import Sighting, Trust, suspicions, trust_of

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
SHANGHAI = {"latitude": 31.23, "longitude": 121.47}
URUMQI = {"latitude": 43.83, "longitude": 87.62}


def seen(key: str, org: str, after: timedelta = timedelta(0), **fields: Any) -> Sighting:
    return Sighting(key, org, T0 + after, **fields)


def kinds(new: Sighting, earlier: list[Sighting]) -> list[tuple[str, str, int]]:
    return [(s.kind, s.earlier.key, s.organisations) for s in suspicions(new, earlier)]


def test_travel_is_judged_on_arrival_times() -> None:
    first = seen("a", "淘宝", **SHANGHAI)
    assert kinds(seen("b", "京东", timedelta(hours=5), **URUMQI), [first]) == []
    assert kinds(seen("b", "京东", timedelta(minutes=30), **URUMQI), [first]) == [
        ("impossible_travel", "a", 2)
    ]


def test_a_sighting_sent_late_is_not_timed_by_its_arrival() -> None:
    """An offline scanner's upload arrives long after the scan: its arrival says nothing
    about when it was made, and the time it gives is only its word."""
    first = seen("a", "淘宝", **SHANGHAI, seller="A")
    late = seen(
        "b", "京东", timedelta(minutes=1), **URUMQI, seller="B", reported=T0 - timedelta(hours=3)
    )
    assert kinds(late, [first]) == [("multiple_sellers", "a", 2)]
    prompt = seen("b", "京东", timedelta(minutes=1), **URUMQI, reported=T0 - timedelta(minutes=5))
    assert kinds(prompt, [first]) == [("impossible_travel", "a", 2)]


def test_one_organisation_alone_is_counted_as_one() -> None:
    first = seen("a", "淘宝", **SHANGHAI, seller="A")
    forged = seen("b", "淘宝", timedelta(seconds=1), **URUMQI, seller="B")
    assert kinds(forged, [first]) == [("impossible_travel", "a", 1), ("multiple_sellers", "a", 1)]


def test_another_organisations_sighting_is_preferred_to_the_latest() -> None:
    others = seen("a", "执法队", **SHANGHAI, seller="A")
    own = seen("b", "淘宝", timedelta(minutes=1), **SHANGHAI, seller="A")
    new = seen("c", "淘宝", timedelta(minutes=2), **URUMQI, seller="B")
    assert kinds(new, [own, others]) == [
        ("impossible_travel", "a", 2),
        ("multiple_sellers", "a", 2),
    ]
    assert kinds(new, [own]) == [("impossible_travel", "b", 1), ("multiple_sellers", "b", 1)]


def test_public_bodies_sightings_are_official() -> None:
    official = {Role.NATIONAL, Role.REGIONAL, Role.ENFORCEMENT}
    for role in Role:
        assert trust_of(role) is (Trust.OFFICIAL if role in official else Trust.PARTY)
