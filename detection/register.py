"""What detectors screen against: the rights and who may use them, as plain records.

The same records come from the node's database (``service.load_register``) or
from the CSV files of ``ipfed screen`` (``batch.read_register``).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ipfed.detection.reasons import Reason
from ipfed.detection.text import party_key
from ipfed.registry.identifiers import PatentKind


@dataclass(frozen=True, slots=True)
class MarkRecord:
    right_id: str  # the mark's id or registration number, reported with a lead
    name: str
    classes: frozenset[int]
    holder: str
    well_known: bool = False
    expiry_date: date | None = None

    def in_force(self, on: date) -> bool:
        return self.expiry_date is None or self.expiry_date >= on


@dataclass(frozen=True, slots=True)
class PatentRecord:
    number: str  # canonical, with its check character: 201710556677.7
    kind: PatentKind
    title: str
    holder: str
    status: str  # pending, granted, expired or invalid
    grant_date: date | None = None
    expiry_date: date | None = None
    locarno_class: str | None = None
    independent_claim: str | None = None
    design_images: tuple[str, ...] = ()  # URIs of the drawings


@dataclass(frozen=True, slots=True)
class Licensee:
    """Who a licence (or transfer) lets use a right, by name or credit code, and when."""

    name: str
    credit_code: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None

    def in_force(self, on: date) -> bool:
        return (self.starts_on is None or self.starts_on <= on) and (
            self.ends_on is None or self.ends_on >= on
        )


@dataclass(frozen=True)
class Register:
    marks: list[MarkRecord] = field(default_factory=list)
    patents: list[PatentRecord] = field(default_factory=list)
    # right id or number -> its licensees
    licensees: Mapping[str, tuple[Licensee, ...]] = field(default_factory=dict)

    def authorised(
        self, right_id: str, holder: str, seller: str, on: date, seller_code: str | None = None
    ) -> bool:
        """The seller is the right's holder, or holds a licence of it in force that day
        (known by its name or, when given, its credit code)."""
        key = party_key(seller)
        return key == party_key(holder) or any(
            licensee.in_force(on)
            and (
                party_key(licensee.name) == key
                or (bool(seller_code) and licensee.credit_code == seller_code)
            )
            for licensee in self.licensees.get(right_id, ())
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """What a detector suspects of one listing and one right."""

    kind: str  # trademark, patent_marking, design or invention
    right_id: str
    score: float
    reasons: tuple[Reason, ...]  # str() of each: its English sentence


@dataclass(frozen=True)
class ScreenedListing:
    """The parts of a listing that detectors read."""

    listing_id: str
    title: str
    seller: str
    nice_class: int | None = None
    description: str = ""
    images: tuple[bytes, ...] = ()
    seller_code: str | None = None  # the seller's unified social credit code, when known
