"""Exhibit names against marks, and the register's one rule of who may use a right."""

import random
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ipfed.detection.exhibits import ExhibitScreen, Stretches, elements, find
from ipfed.detection.register import Licensee, MarkRecord, Register, ScreenedListing
from ipfed.detection.text import compact
from ipfed.detection.trademarks import TrademarkDetector

DAY = date(2026, 11, 21)
HOLDER = "上海冠生园食品有限公司"
LICENSEE = ("义乌市副食批发商行", "92330782MA29C7TB03")


def register(licensee: Licensee, expiry: date | None = None) -> Register:
    mark = MarkRecord("1587423", "大白兔", frozenset({30}), HOLDER, expiry_date=expiry)
    return Register(marks=[mark], licensees={"1587423": (licensee,)})


def flagged(detector: TrademarkDetector, seller: str, code: str | None, on: date) -> bool:
    listing = ScreenedListing("L", "大白兔 奶糖", seller, 30, seller_code=code)
    return bool(detector.detect(listing, on))


def test_a_licensee_is_known_by_name_or_credit_code_while_its_licence_runs() -> None:
    licence = Licensee(LICENSEE[0], LICENSEE[1], date(2026, 11, 1), date(2026, 11, 30))
    detector = TrademarkDetector(register(licence), DAY)
    assert not flagged(detector, LICENSEE[0], None, DAY)
    assert not flagged(detector, "义乌 副食 商行 (淘宝店)", LICENSEE[1], DAY)  # by its code
    assert not flagged(detector, HOLDER, None, DAY)
    assert flagged(detector, "某商行", "92330782MA29C7TB04", DAY)
    assert flagged(detector, LICENSEE[0], LICENSEE[1], date(2026, 10, 31))  # not begun
    assert flagged(detector, LICENSEE[0], LICENSEE[1], date(2026, 12, 1))  # ended


def test_a_lapsed_mark_is_no_lead() -> None:
    detector = TrademarkDetector(register(Licensee("某人"), expiry=date(2026, 11, 20)), DAY)
    assert not flagged(detector, "某商行", None, DAY)
    assert flagged(detector, "某商行", None, date(2026, 11, 20))


def test_exhibits_follow_the_same_rule_on_the_fair_s_day() -> None:
    licence = Licensee(LICENSEE[0], LICENSEE[1], starts_on=date(2026, 12, 1))
    detector = TrademarkDetector(register(licence), DAY)
    before, during = ExhibitScreen(detector, DAY), ExhibitScreen(detector, date(2026, 12, 3))
    name = "大·白·兔 奶糖 500g"
    assert [(r.mark.right_id, r.text) for r in before.screen(name, 30, *LICENSEE)] == [
        ("1587423", "大白兔")
    ]
    assert during.screen(name, 30, "义乌副食", LICENSEE[1]) == []
    assert during.screen(name, 30, HOLDER) == []


def full_width(text: str) -> str:
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text
    )


@given(
    name=st.sampled_from(["回力 WARRIOR", "Coca-Cola 可口可乐", "LAOFENGXIANG 老凤祥", "7UP"]),
    noise=st.lists(st.sampled_from([" ", "·", "-", "_", "【", "】", ".", "\u3000"]), max_size=8),
    seed=st.integers(0, 2**16),
    shout=st.booleans(),
    wide=st.booleans(),
)
def test_disguises_of_case_spacing_punctuation_and_width_are_seen_through(
    name: str, noise: list[str], seed: int, shout: bool, wide: bool
) -> None:
    rng = random.Random(seed)
    disguised = list(name.upper() if shout else name.lower())
    for mark in noise:
        disguised.insert(rng.randrange(len(disguised) + 1), mark)
    text = "".join(disguised)
    text = compact("特价 " + (full_width(text) if wide else text) + " 正品")
    for element in elements(name):
        assert find(element, text) == (100.0, element)
    assert Stretches(elements(name)).within(text).keys() == set(range(len(elements(name))))
