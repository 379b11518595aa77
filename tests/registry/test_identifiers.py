"""Official identifiers, checked against real numbers and their published rules."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfed.registry.identifiers import (
    InvalidIdentifier,
    PatentKind,
    parse_locarno_class,
    parse_nice_classes,
    parse_patent_number,
    parse_region_code,
    parse_uscc,
    patent_check_character,
    region_name,
)


@pytest.mark.parametrize(
    ("written", "canonical", "kind"),
    [
        # Published examples of the CNIPA numbering (ZC 0006-2003 and before).
        ("201710601862.3", "201710601862.3", PatentKind.INVENTION),
        ("ZL201310699744.2", "201310699744.2", PatentKind.INVENTION),
        ("ZL95115608.X", "95115608.X", PatentKind.INVENTION),
        ("97101765.4", "97101765.4", PatentKind.INVENTION),
        # Written forms the standard allows: CN prefix, spaces between parts.
        ("CN 2019 2 1334455.1", "201921334455.1", PatentKind.UTILITY),
        ("ZL 201930778899.3", "201930778899.3", PatentKind.DESIGN),
        ("zl201710556677．7", "201710556677.7", PatentKind.INVENTION),
        ("2017105566777", "201710556677.7", PatentKind.INVENTION),
    ],
)
def test_valid_patent_numbers(written: str, canonical: str, kind: PatentKind) -> None:
    number = parse_patent_number(written)
    assert str(number) == canonical
    assert number.kind is kind


def test_pct_national_phase_numbers() -> None:
    digits = "201880012345"
    number = parse_patent_number(digits + patent_check_character(digits))
    assert number.is_pct and number.kind is PatentKind.INVENTION
    assert number.filing_year == 2018
    assert parse_patent_number("97101765.4").filing_year == 1997


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("201921334455.0", "patent_check_digit"),  # check character should be 1
        ("ZL95115608.1", "patent_check_digit"),  # should be X
        ("201740556677.7", "invalid_patent_number"),  # type digit 4 does not exist
        ("20171055667.7", "invalid_patent_number"),  # serial one digit short
        ("9710176.4", "invalid_patent_number"),
        ("ZL2017-10556677.7", "invalid_patent_number"),
        ("", "invalid_patent_number"),
    ],
)
def test_invalid_patent_numbers(written: str, code: str) -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        parse_patent_number(written)
    assert raised.value.code == code


@given(
    year=st.integers(1985, 2030),
    type_digit=st.sampled_from("12389"),
    serial=st.integers(0, 9_999_999),
    wrong=st.sampled_from("0123456789X"),
)
def test_only_the_right_check_character_is_accepted(
    year: int, type_digit: str, serial: int, wrong: str
) -> None:
    digits = f"{year}{type_digit}{serial:07d}"
    check = patent_check_character(digits)
    assert str(parse_patent_number(f"ZL{digits}.{check}")) == f"{digits}.{check}"
    if wrong != check:
        with pytest.raises(InvalidIdentifier):
            parse_patent_number(f"{digits}.{wrong}")


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the example of GB 32100-2015
        "91310115MA1FL3QX0F",
        "92330782MA29C7TB03",
        " 91330106ma27y8k10g ",  # case and whitespace are normalised
    ],
)
def test_valid_uscc(code: str) -> None:
    assert parse_uscc(code) == code.strip().upper()


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # 17 characters
        "91350100M000100I43",  # I is not in the code's alphabet
        "",
    ],
)
def test_invalid_uscc(code: str) -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        parse_uscc(code)
    assert raised.value.code == "invalid_uscc"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("310000", "上海市"),
        ("330000", "浙江省"),
        ("330106", "西湖区"),
        ("310115", "浦东新区"),
        ("120110", "东丽区"),  # renamed from 东郊区 in 1992: the current name wins
        ("100000", "中华人民共和国"),  # the whole country, used by the national node
    ],
)
def test_region_codes(code: str, name: str) -> None:
    assert parse_region_code(code) == code
    assert region_name(code) == name


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("999999", "invalid_region_code"),
        ("31000", "invalid_region_code"),
        ("3100000", "invalid_region_code"),
        ("31000a", "invalid_region_code"),
        ("120204", "abolished_region_code"),  # 东矿区, abolished in 1994
    ],
)
def test_invalid_region_codes(code: str, error: str) -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        parse_region_code(code)
    assert raised.value.code == error


def test_nice_classes() -> None:
    assert parse_nice_classes("29;30, 35") == [29, 30, 35]
    assert parse_nice_classes("1") == [1]
    assert parse_nice_classes([45, 45, 9]) == [9, 45]
    for bad in ("0", "46", "3;x", "", "  "):
        with pytest.raises(InvalidIdentifier) as raised:
            parse_nice_classes(bad)
        assert raised.value.code == "invalid_nice_class"


def test_locarno_classes() -> None:
    assert parse_locarno_class("14-01") == "14-01"
    assert parse_locarno_class("9.03") == "09-03"
    for bad in ("33-01", "14", "14-1x"):
        with pytest.raises(InvalidIdentifier):
            parse_locarno_class(bad)
