"""Invention and utility-model infringement: a product description against the
independent claim, element by element. Under the all-elements rule a product
infringes only if it has every element of the claim, so a lead needs all of
them; the reasons name the elements found and those missing.

A claim is split into its preamble subject, the parts it comprises (包括 ...)
and the characterising features (其特征在于 ...). An element is found when most
of its character pairs occur in the description (after folding variants).
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from ipfed.detection.reasons import Reason
from ipfed.detection.register import Finding, PatentRecord, Register, ScreenedListing
from ipfed.detection.text import fold, han_runs
from ipfed.registry.identifiers import PatentKind

FOUND = 0.6  # share of an element's character pairs the description must hold
CANDIDATE_SHARE = 0.3  # share of a claim's pairs a description must hold to be compared
_FILLER = re.compile(
    r"所述|其特征在于|包括|包含|设有|设置有|设置|具有|由|制成|的|一种|以及|及|和|与|其中|该"
)
_SPLIT = re.compile(r"[，,；;、：:。]|其特征在于|包括|包含|以及|和|及")


@dataclass(frozen=True, slots=True)
class Element:
    text: str  # as the claim words it
    pairs: frozenset[str]  # character pairs of its content words


def _pairs(text: str) -> set[str]:
    return {run[i : i + 2] for run in han_runs(text) for i in range(len(run) - 1)}


def claim_elements(claim: str) -> list[Element]:
    """The elements of an independent claim, in order, without repeats."""
    elements: list[Element] = []
    seen: set[frozenset[str]] = set()
    for part in _SPLIT.split(fold(claim)):
        text = part.strip()
        content = _FILLER.sub(" ", text)
        pairs = frozenset(_pairs(content))
        if pairs and pairs not in seen:
            seen.add(pairs)
            elements.append(Element(text, pairs))
    return elements


class InventionDetector:
    def __init__(self, register: Register, today: date) -> None:
        self.register = register
        self.today = today
        self.claims: list[tuple[PatentRecord, list[Element]]] = []
        self._by_pair: dict[str, list[int]] = {}
        for patent in register.patents:
            in_force = patent.status == "granted" and not (
                patent.expiry_date and patent.expiry_date < today
            )
            if patent.kind is PatentKind.DESIGN or not patent.independent_claim or not in_force:
                continue
            elements = claim_elements(patent.independent_claim)
            if not elements:
                continue
            for pair in set().union(*(e.pairs for e in elements)):
                self._by_pair.setdefault(pair, []).append(len(self.claims))
            self.claims.append((patent, elements))

    def detect(self, listing: ScreenedListing) -> list[Finding]:
        text = f"{listing.title} {listing.description}"
        pairs = _pairs(text)
        shared = Counter(c for pair in pairs for c in self._by_pair.get(pair, ()))
        findings = []
        for index, count in shared.items():
            patent, elements = self.claims[index]
            total = len(set().union(*(e.pairs for e in elements)))
            if count < CANDIDATE_SHARE * total:
                continue
            if self.register.authorised(
                patent.number, patent.holder, listing.seller, self.today, listing.seller_code
            ):
                continue
            coverage = [len(e.pairs & pairs) / len(e.pairs) for e in elements]
            found = [e.text for e, c in zip(elements, coverage, strict=True) if c >= FOUND]
            missing = [e.text for e, c in zip(elements, coverage, strict=True) if c < FOUND]
            if missing:
                continue  # all-elements rule: no lead without every element
            findings.append(
                Finding(
                    "invention",
                    patent.number,
                    round(sum(coverage) / len(coverage), 3),
                    (
                        Reason.of(
                            "every_claim_element",
                            number=patent.number,
                            title=patent.title,
                            holder=patent.holder,
                        ),
                        Reason.of("elements_found", elements="; ".join(found)),
                        Reason.of("no_elements_missing"),
                        Reason.of("seller_not_licensed"),
                    ),
                )
            )
        return findings

    def explain(self, number: str, description: str) -> tuple[list[str], list[str]]:
        """The elements of a claim a description has and those it lacks."""
        pairs = _pairs(description)
        for patent, elements in self.claims:
            if patent.number == number:
                found = [e.text for e in elements if len(e.pairs & pairs) / len(e.pairs) >= FOUND]
                return found, [e.text for e in elements if e.text not in found]
        return [], []
