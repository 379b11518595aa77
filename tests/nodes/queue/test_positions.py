"""A page of the queue ends at a position that names the last item exactly, so the
next page starts just after it; anything else is refused as a bad cursor."""

import pytest

from ipfed.nodes.errors import InvalidInput
from ipfed.nodes.queue.service import ItemKind, Position, parse_key


@pytest.mark.parametrize("priority", [0.0, 0.1 + 0.2, 1.234, -3.5, 12.0])
def test_a_position_survives_its_cursor(priority: float) -> None:
    position = Position(priority, ItemKind.DETECTOR_LEAD, "01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert Position.parse(position.cursor()) == position


@pytest.mark.parametrize(
    "cursor", ["", "x", "1.0~nothing~01A", "high~detector_lead~01A", "1~2~3~4"]
)
def test_a_bad_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Position.parse(cursor)
    assert refused.value.code == "bad_cursor"


def test_an_item_is_named_by_its_kind_and_id() -> None:
    assert parse_key("detector_lead:01ARZ") == (ItemKind.DETECTOR_LEAD, "01ARZ")
    with pytest.raises(InvalidInput):
        parse_key("complaint:01ARZ")
