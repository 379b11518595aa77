"""The characters of a listing that pass for a registered name are marked for the
reviewer: look-alikes apart from the characters written as registered."""

import pytest

from ipfed.detection.lookalikes import Match, highlight


def marked(text: str, name: str) -> list[tuple[str, str]]:
    return [(s.text, s.match.value) for s in highlight(text, name) if s.match is not Match.OTHER]


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("康帅傅 红烧牛肉面", "康师傅", [("康", "same"), ("帅", "look_alike"), ("傅", "same")]),
        ("立日洗衣粉", "立白", [("立", "same"), ("日", "look_alike")]),
        ("回カ运动鞋", "回力", [("回", "same"), ("カ", "look_alike")]),
        ("PEPSl 可乐", "百事可乐 PEPSI", [("PEPS", "same"), ("l", "look_alike"), ("可乐", "same")]),
        # Cyrillic О and р, and a model number that is not the name.
        ("Оррo 手机 2020", "OPPO", [("Орр", "look_alike"), ("o", "same")]),
        ("回力 WARRIOR 运动鞋", "回力 WARRIOR", [("回力", "same"), ("WARRIOR", "same")]),
    ],
)
def test_look_alikes_are_told_from_what_is_written_as_registered(
    text: str, name: str, expected: list[tuple[str, str]]
) -> None:
    assert marked(text, name) == expected


def test_a_word_sharing_one_character_is_not_marked() -> None:
    assert marked("白色运动鞋", "大白兔") == []


def test_the_text_is_kept_whole() -> None:
    text = "【康帅傅】 红烧牛肉面 5袋"
    assert "".join(s.text for s in highlight(text, "康师傅")) == text
