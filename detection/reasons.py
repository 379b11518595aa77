"""Why a detector suspects a listing: each reason a code and its parameters, so that a
reader can be shown it in their own language, and its English sentence (``str()``),
which the CSV output, the CLI and the API carry as they always have.

Parameters are text as the listing or the register has it (a name, a number), except
those named in ``TERMS``, whose value is itself a code (a kind of patent, a kind of
place) rendered in words."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# code -> the English sentence, with ``{parameter}`` places.
ENGLISH: dict[str, str] = {
    # trademarks: what resembles what, and whether the class lets the mark reach it
    "resembles_mark": "「{written}」 resembles mark {right} 「{shown}」 of {holder}",
    "written_in_pinyin": "written in pinyin",
    "class_unknown": "the listing names no class; the mark covers class {classes}",
    "class_same": "same Nice class {nice_class}",
    "class_similar": "class {nice_class} is similar to the mark's class {related}",
    "class_well_known": "well-known mark, protected beyond its class {classes}",
    "seller_not_licensed": "the seller is neither the holder nor a licensee",
    # names: how a written name is like a registered one (ipfed.detection.similarity)
    "variant_form": "{written} is a variant form of {registered}",
    "sounds_like": "{written} sounds like {registered}",
    "sounds_close": "{written} sounds close to {registered}",
    "looks_like": "{written} looks like {registered}",
    "repeats_character": "{written} repeats a character of {registered}",
    "swapped": "{written} swapped",
    "drawn_like": "{written} is drawn like {registered}",
    "spelled_like": "{written} is spelled like {registered}",
    # patent markings
    "not_a_patent_number": "{written} cannot be a patent number: {problem}",
    "patent_fabricated": "no patent {number} in the register: the number is fabricated",
    "patent_pending_as_granted": "{number} is a pending application shown as granted",
    "patent_invalidated": "{number} has been invalidated",
    "patent_expired": "{number} expired",
    "patent_expired_on": "{number} expired on {date}",
    "patent_kind_misstated": "{number} is {kind}, shown as {claimed}",
    "patent_not_licensed": "{number} belongs to {holder}, who has not licensed the seller",
    # inventions and designs
    "every_claim_element": (
        "the description has every element of claim 1 of {number} 「{title}」 of {holder}"
    ),
    "elements_found": "elements found: {elements}",
    "no_elements_missing": "elements missing: none",
    "design_drawing_matched": (
        "a product image matches a drawing of design {number} 「{title}」 of {holder} "
        "({bits} of 128 hash bits differ)"
    ),
    "locarno_class": "Locarno class {locarno_class}",
    # the node's trace of the seller to the jurisdiction that must act
    "jurisdiction": "jurisdiction {region_code}: {place}: {text}",
}

# Parameters whose value is a code, and that code's English words.
TERMS: dict[str, dict[str, str]] = {
    "kind": {
        "invention": "an invention patent",
        "utility": "a utility model",
        "design": "a design patent",
    },
    "place": {
        "shipping_origin": "shipping origin",
        "registered_address": "registered address",
        "earlier_case": "earlier case",
    },
}
TERMS["claimed"] = TERMS["kind"]


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason: a code of ``ENGLISH`` and its parameters."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: object) -> "Reason":
        if code not in ENGLISH:
            raise ValueError(f"no reason {code!r}")
        return cls(code, tuple((name, str(value)) for name, value in params.items()))

    def __str__(self) -> str:
        return render(ENGLISH[self.code], dict(self.params), english_term)

    def as_json(self) -> dict[str, Any]:
        """As a lead stores it beside its English sentence."""
        return {"code": self.code, "params": dict(self.params)}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> "Reason":
        params = stored.get("params") or {}
        return cls(str(stored["code"]), tuple((str(k), str(v)) for k, v in params.items()))


def english_term(name: str, value: str) -> str:
    return TERMS[name].get(value, value)


def render(template: str, params: Mapping[str, str], term: Callable[[str, str], str]) -> str:
    """``template`` filled with ``params``, each code of ``TERMS`` put in words by
    ``term(name, value)``."""
    return template.format(
        **{name: term(name, value) if name in TERMS else value for name, value in params.items()}
    )


def sentences(reasons: tuple[Reason, ...] | list[Reason]) -> list[str]:
    """The English sentences of ``reasons``."""
    return [str(reason) for reason in reasons]
