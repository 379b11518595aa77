"""What detectors screen against: the rights and who may use them, as plain records.

The same records come from the node's database (``service.load_register``) or
from the CSV files of ``ipfed screen`` (``batch.read_register``).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ipfed.detection.text import party_key
from ipfed.registry.identifiers import PatentKind


@dataclass(frozen=True, slots=True)
class MarkRecord:
    right_id: str  # the mark's id or registration number, reported with a lead
    name: str
    classes: frozenset[int]
    holder: str
    well_known: bool = False


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


@dataclass(frozen=True)
class Register:
    marks: list[MarkRecord] = field(default_factory=list)
    patents: list[PatentRecord] = field(default_factory=list)
    # right id or number -> party keys of its licensees
    licensees: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def authorised(self, right_id: str, holder: str, seller: str) -> bool:
        """The seller is the right's holder or one of its licensees."""
        key = party_key(seller)
        return key == party_key(holder) or key in self.licensees.get(right_id, frozenset())


@dataclass(frozen=True, slots=True)
class Finding:
    """What a detector suspects of one listing and one right."""

    kind: str  # trademark, patent_marking, design or invention
    right_id: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ScreenedListing:
    """The parts of a listing that detectors read."""

    listing_id: str
    title: str
    seller: str
    nice_class: int | None = None
    description: str = ""
    images: tuple[bytes, ...] = ()
