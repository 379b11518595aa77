"""Official identifiers, validated with their check characters.

Each ``parse_*`` function returns the canonical form or raises
:class:`InvalidIdentifier` with a stable ``code``. Pydantic models use the
``Annotated`` aliases at the bottom, so a bad number is refused at every
boundary (API, import rows, settings) with the same message.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator
from stdnum import numdb
from stdnum.cn import uscc as _uscc
from stdnum.exceptions import ValidationError as _StdnumError

from ipfed.registry.errors import RegistryError


class InvalidIdentifier(RegistryError, ValueError):
    """An official number is malformed or fails its check character.

    Also a ``ValueError``, so that pydantic validators report it as a validation error.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


# --- patent application / patent numbers (ZC 0006-2003) -------------------


class PatentKind(StrEnum):
    INVENTION = "invention"
    UTILITY = "utility"
    DESIGN = "design"


# Type digit of the number -> kind of right. 8 and 9 are PCT national-phase
# applications for inventions and utility models.
_TYPE_DIGITS = {
    "1": PatentKind.INVENTION,
    "2": PatentKind.UTILITY,
    "3": PatentKind.DESIGN,
    "8": PatentKind.INVENTION,
    "9": PatentKind.UTILITY,
}
_PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
# ZL/CN prefix; optional single spaces between year, type and serial
# (allowed by ZC 0006-2003); "." or full-width "．" before the check character.
_PATENT_RE = re.compile(
    r"^(?:ZL|CN)?\s?(?P<year>\d{4}|\d{2})\s?(?P<type>\d)\s?(?P<serial>\d{7}|\d{5})"
    r"\s?[.．·]?\s?(?P<check>[\dX])$"
)


@dataclass(frozen=True, slots=True)
class PatentNumber:
    """A CNIPA application number with its check character, e.g. ``201710556677.7``."""

    digits: str  # 12 digits (since Oct 2003) or 8 digits (before)
    check: str

    def __str__(self) -> str:
        return f"{self.digits}.{self.check}"

    @property
    def _year_digits(self) -> str:
        return self.digits[: 4 if len(self.digits) == 12 else 2]

    @property
    def type_digit(self) -> str:
        return self.digits[len(self._year_digits)]

    @property
    def kind(self) -> PatentKind:
        return _TYPE_DIGITS[self.type_digit]

    @property
    def is_pct(self) -> bool:
        return self.type_digit in "89"

    @property
    def filing_year(self) -> int:
        year = int(self._year_digits)
        if len(self.digits) == 12:
            return year
        return 1900 + year if year >= 85 else 2000 + year  # CNIPA opened in 1985


def patent_check_character(digits: str) -> str:
    """Check character of an 8- or 12-digit application number (mod 11, 10 -> X)."""
    total = sum(int(d) * w for d, w in zip(digits, _PATENT_WEIGHTS, strict=False))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def parse_patent_number(value: str) -> PatentNumber:
    text = re.sub(r"\s+", " ", value.strip().upper())
    match = _PATENT_RE.match(text)
    if match is None:
        raise InvalidIdentifier(
            "invalid_patent_number",
            f"{value!r} is not a patent number (e.g. 201710556677.7 or ZL201710556677.7)",
        )
    year, type_digit, serial = match["year"], match["type"], match["serial"]
    if (len(year), len(serial)) not in ((4, 7), (2, 5)):
        raise InvalidIdentifier(
            "invalid_patent_number", f"{value!r}: year and serial lengths do not match"
        )
    if type_digit not in _TYPE_DIGITS:
        raise InvalidIdentifier(
            "invalid_patent_number", f"{value!r}: type digit {type_digit} is not 1, 2, 3, 8 or 9"
        )
    digits = year + type_digit + serial
    expected = patent_check_character(digits)
    if match["check"] != expected:
        raise InvalidIdentifier(
            "patent_check_digit",
            f"{value!r}: check character is {match['check']}, the number requires {expected}",
        )
    return PatentNumber(digits=digits, check=expected)


# --- trademark and geographical-indication registration numbers -----------


def parse_registration_number(value: str) -> str:
    """CNIPA registration numbers are digits; international (Madrid) registrations
    and some registers prefix letters, e.g. ``G1234567``. No check character."""
    number = value.strip().upper()
    if not (1 <= len(number) <= 20 and number.isascii() and number.isalnum()):
        raise InvalidIdentifier(
            "invalid_trademark_number", f"{value!r} is not a trademark registration number"
        )
    return number


# --- unified social credit code (GB 32100-2015) ---------------------------


def parse_uscc(value: str) -> str:
    code = value.strip().upper()
    try:
        return str(_uscc.validate(code))
    except _StdnumError as exc:
        raise InvalidIdentifier(
            "invalid_uscc", f"{value!r} is not a valid unified social credit code: {exc}"
        ) from None


# --- administrative division codes (GB/T 2260) ----------------------------

NATIONAL_REGION = "100000"  # conventional code for the whole country
# The 31 provincial-level divisions of the mainland, each with an IP office that files upward.
PROVINCES = (
    *("110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000"),
    *("310000", "320000", "330000", "340000", "350000", "360000", "370000", "410000"),
    *("420000", "430000", "440000", "450000", "460000", "500000", "510000", "520000"),
    *("530000", "540000", "610000", "620000", "630000", "640000", "650000"),
)


def region_name(code: str) -> str:
    """Name of a current division, e.g. ``310000`` -> ``上海市``."""
    if code == NATIONAL_REGION:
        return "中华人民共和国"
    # python-stdnum ships the GB/T 2260 table, with the years each name was in use.
    info = numdb.get("cn/loc").info(code)
    county = info[-1][1].get("county") if len(info) == 2 else None
    if not county:
        raise InvalidIdentifier("invalid_region_code", f"{code!r} is not a GB/T 2260 code")
    # Entries look like "西湖区", "[1983-]西湖区" (current) or
    # "[1980-1983]某县" (abolished); a later entry may reuse an old code.
    for name in reversed(county.split(",")):
        span = re.match(r"^\[(\d{4})?-(\d{4})?\](.*)$", name)
        if span is None:
            return name
        if span[2] is None:
            return span[3]
    raise InvalidIdentifier(
        "abolished_region_code", f"{code!r} is an abolished administrative division"
    )


def parse_region_code(value: str) -> str:
    code = value.strip()
    if not re.fullmatch(r"\d{6}", code):
        raise InvalidIdentifier(
            "invalid_region_code", f"{value!r} is not a six-digit GB/T 2260 division code"
        )
    region_name(code)
    return code


# --- classifications ------------------------------------------------------


def parse_nice_class(value: int | str) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 45:
        raise InvalidIdentifier("invalid_nice_class", f"{value!r} is not a Nice class (1 to 45)")
    return int(text)


_NICE_CLASSES = {str(c): c for c in range(1, 46)}  # the usual spelling, looked up at once
_NICE_SEPARATORS = re.compile(r"[;,，、\s]+")


def parse_nice_classes(value: str | list[int] | list[str]) -> list[int]:
    """``"29;30, 35"`` or ``[29, 30]`` -> sorted distinct classes."""
    if isinstance(value, str):
        if value in _NICE_CLASSES:
            return [_NICE_CLASSES[value]]
        items: list[Any] = [item for item in _NICE_SEPARATORS.split(value) if item]
    else:
        items = [item for item in value if str(item).strip()]
    classes = sorted({_NICE_CLASSES.get(item) or parse_nice_class(item) for item in items})
    if not classes:
        raise InvalidIdentifier("invalid_nice_class", "at least one Nice class is required")
    return classes


def parse_locarno_class(value: str) -> str:
    """Locarno class and subclass, e.g. ``14-01`` (classes 1-32 and 99)."""
    match = re.fullmatch(r"(\d{1,2})\s*[-.]\s*(\d{2})", value.strip())
    if match is None or not (1 <= int(match[1]) <= 32 or int(match[1]) == 99):
        raise InvalidIdentifier(
            "invalid_locarno_class", f"{value!r} is not a Locarno class such as 14-01"
        )
    return f"{int(match[1]):02d}-{match[2]}"


PatentNo = Annotated[str, AfterValidator(lambda v: str(parse_patent_number(v)))]
RegistrationNo = Annotated[str, AfterValidator(parse_registration_number)]
USCC = Annotated[str, AfterValidator(parse_uscc)]
RegionCode = Annotated[str, AfterValidator(parse_region_code)]
NiceClass = Annotated[int, BeforeValidator(parse_nice_class)]
NiceClasses = Annotated[list[int], BeforeValidator(parse_nice_classes)]
LocarnoClass = Annotated[str, AfterValidator(parse_locarno_class)]
