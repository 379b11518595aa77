"""Counterfeit patent marking (假冒专利): patent numbers a listing shows, checked against
the register. A number that cannot exist, is not registered, is a pending
application shown as granted, has expired or been invalidated, is claimed as
another kind of patent, or belongs to someone who did not license the seller,
is a lead. A pending application honestly marked as one is not."""

import re
from dataclasses import dataclass
from datetime import date

from ipfed.detection.reasons import Reason
from ipfed.detection.register import Finding, Register, ScreenedListing
from ipfed.detection.text import fold
from ipfed.registry.identifiers import InvalidIdentifier, PatentKind, parse_patent_number

_NUMBER = re.compile(
    r"(?P<prefix>ZL|CN)?\s?(?P<digits>\d{4}\s?\d\s?\d{7}|\d{2}\s?\d\s?\d{5})"
    r"\s?(?P<dot>[.·])?\s?(?P<check>[\dX])(?!\d)",
    re.IGNORECASE,
)
_PENDING_WORDS = ("申请号", "申请中", "已申请", "专利申请", "审查中", "patent pending", "pending")
_GRANTED_WORDS = ("专利号", "已获", "授权", "获得", "patent no")
_KIND_WORDS = (
    ("实用新型", PatentKind.UTILITY),
    ("外观", PatentKind.DESIGN),
    ("发明", PatentKind.INVENTION),
)
CONTEXT = 16  # characters before a number that say what it is claimed to be
CERTAIN, UNLICENSED = 1.0, 0.8


@dataclass(frozen=True, slots=True)
class Marking:
    """A patent number shown in a listing and what the text around it claims."""

    written: str  # the number as the listing wrote it, without ZL/CN: 201710556677.7
    claims_pending: bool
    claims_granted: bool
    claimed_kind: PatentKind | None


def find_markings(text: str) -> list[Marking]:
    folded = fold(text)
    found = []
    for match in _NUMBER.finditer(folded):
        if not (match["prefix"] or match["dot"]):
            continue  # twelve digits and a digit: a phone or order number as likely as a patent
        before = folded[max(0, match.start() - CONTEXT) : match.start()].lower()
        after = folded[match.end() : match.end() + 6].lower()
        near = before + after
        digits = re.sub(r"\s", "", match["digits"])
        kind = next((k for word, k in _KIND_WORDS if word in before), None)
        found.append(
            Marking(
                written=f"{digits}.{match['check'].upper()}",
                claims_pending=any(w in near for w in _PENDING_WORDS),
                claims_granted=bool(match["prefix"]) or any(w in before for w in _GRANTED_WORDS),
                claimed_kind=kind,
            )
        )
    return found


class PatentMarkingDetector:
    def __init__(self, register: Register, today: date) -> None:
        self.register = register
        self.today = today
        self.patents = {p.number: p for p in register.patents}

    def detect(self, listing: ScreenedListing) -> list[Finding]:
        findings: dict[str, Finding] = {}
        for marking in find_markings(f"{listing.title} {listing.description}"):
            reasons = self._problems(marking, listing)
            if reasons:
                score = max(score for score, _ in reasons)
                text = tuple(reason for _, reason in reasons)
                findings.setdefault(
                    marking.written, Finding("patent_marking", marking.written, score, text)
                )
        return list(findings.values())

    def _problems(self, marking: Marking, listing: ScreenedListing) -> list[tuple[float, Reason]]:
        try:
            number = parse_patent_number(marking.written)
        except InvalidIdentifier as exc:
            return [
                (CERTAIN, Reason.of("not_a_patent_number", written=marking.written, problem=exc))
            ]
        patent = self.patents.get(str(number))
        if patent is None:
            return [(CERTAIN, Reason.of("patent_fabricated", number=number))]
        problems = []
        if patent.status == "pending":
            if marking.claims_granted or not marking.claims_pending:
                problems.append((CERTAIN, Reason.of("patent_pending_as_granted", number=number)))
        elif patent.status == "invalid":
            problems.append((CERTAIN, Reason.of("patent_invalidated", number=number)))
        elif patent.status == "expired" or (patent.expiry_date and patent.expiry_date < self.today):
            expired = (
                Reason.of("patent_expired_on", number=number, date=patent.expiry_date)
                if patent.expiry_date
                else Reason.of("patent_expired", number=number)
            )
            problems.append((CERTAIN, expired))
        if marking.claimed_kind is not None and marking.claimed_kind is not number.kind:
            problems.append(
                (
                    CERTAIN,
                    Reason.of(
                        "patent_kind_misstated",
                        number=number,
                        kind=number.kind.value,
                        claimed=marking.claimed_kind.value,
                    ),
                )
            )
        if not self.register.authorised(
            patent.number, patent.holder, listing.seller, self.today, listing.seller_code
        ):
            problems.append(
                (
                    UNLICENSED if not problems else CERTAIN,
                    Reason.of("patent_not_licensed", number=number, holder=patent.holder),
                )
            )
        return problems
