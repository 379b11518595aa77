from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from ipfed.ledger.canonical import canonical_bytes, parse_canonical
from ipfed.ledger.errors import MalformedData

text = st.text(st.characters(codec="utf-8"))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(text, inner, max_size=5),
    max_leaves=30,
)


@given(json_values)
def test_round_trip(value: Any) -> None:
    encoded = canonical_bytes(value)
    assert parse_canonical(encoded) == value
    assert canonical_bytes(parse_canonical(encoded)) == encoded


@given(st.dictionaries(text, json_values, min_size=2, max_size=6))
def test_key_order_does_not_matter(value: dict[str, Any]) -> None:
    reordered = dict(reversed(list(value.items())))
    assert canonical_bytes(reordered) == canonical_bytes(value)


def test_the_exact_form() -> None:
    assert canonical_bytes({"b": [1, None, True], "a": '上海 "x"'}) == (
        '{"a":"上海 \\"x\\"","b":[1,null,true]}'.encode()
    )

    class Mark(BaseModel):
        region: str
        units: int

    assert canonical_bytes(Mark(units=3, region="310000")) == b'{"region":"310000","units":3}'


@pytest.mark.parametrize(
    "value", [1.5, {"a": float("nan")}, 2**53, {1: "x"}, {"a": b"bytes"}, "\ud800"]
)
def test_values_without_a_canonical_form(value: Any) -> None:
    with pytest.raises(MalformedData):
        canonical_bytes(value)


@pytest.mark.parametrize(
    "data", [b'{"b":1,"a":2}', b'{"a": 2}', b'{"a":"\\u4e0a"}', b"\xff", b'{"a":1.0}']
)
def test_other_encodings_are_refused(data: bytes) -> None:
    with pytest.raises(MalformedData):
        parse_canonical(data)
