"""The trademark detector on look-alike cases that are in no development file."""

from datetime import date

import pytest

from ipfed.detection.register import Licensee, MarkRecord, Register, ScreenedListing
from ipfed.detection.trademarks import TrademarkDetector

MARKS = [
    MarkRecord("T1", "康师傅", frozenset({30}), "康师傅控股有限公司"),
    MarkRecord("T2", "大白兔", frozenset({30}), "上海冠生园食品有限公司"),
    MarkRecord("T3", "回力 WARRIOR", frozenset({25}), "上海回力鞋业有限公司"),
    MarkRecord("T4", "张小泉", frozenset({8}), "杭州张小泉集团有限公司"),
    MarkRecord("T5", "OPPO", frozenset({9}), "OPPO广东移动通信有限公司"),
    MarkRecord("T6", "小米", frozenset({9}), "小米科技有限责任公司"),
    MarkRecord("T7", "可口可乐 Coca-Cola", frozenset({32}), "The Coca-Cola Company"),
    MarkRecord("T8", "NIKE", frozenset({25}), "Nike Innovate C.V."),
    MarkRecord(
        "T9", "老干妈", frozenset({30}), "贵阳南明老干妈风味食品有限责任公司", well_known=True
    ),
    MarkRecord("T10", "雪碧 Sprite", frozenset({32}), "The Coca-Cola Company"),
    MarkRecord("T11", "旺仔", frozenset({29, 30}), "中国旺旺控股有限公司"),
    MarkRecord("T12", "雀巢 Nestle", frozenset({30}), "Société des Produits Nestlé S.A."),
    MarkRecord("T13", "Apple", frozenset({9}), "Apple Inc."),
]
REGISTER = Register(marks=MARKS, licensees={"T7": (Licensee("可口可乐 官方旗舰店"),)})


@pytest.fixture(scope="module")
def detector() -> TrademarkDetector:
    return TrademarkDetector(REGISTER, date(2026, 11, 21))


def leads(detector: TrademarkDetector, title: str, nice_class: int | None, seller: str = "某店"):
    return {f.right_id: f for f in detector.detect(ScreenedListing("L", title, seller, nice_class))}


@pytest.mark.parametrize(
    ("title", "nice_class", "mark", "reason"),
    [
        ("康帅傅 红烧牛肉面 5连包", 30, "T1", "帅 looks like 师"),
        ("大白兎 奶糖 500g", 30, "T2", "兎 sounds like 兔"),  # a Japanese variant
        ("回カ 帆布鞋", 25, "T3", "カ looks like 力"),  # katakana for a Chinese character
        ("張小泉 家用剪刀", 8, "T4", "張 is a variant form of 张"),  # traditional form
        ("ＯＰＰＯ 手机壳", 9, "T5", ""),  # full-width letters
        ("Оррo 充电器", 9, "T5", "drawn like"),  # Cyrillic О and р
        ("XIAOMI 充电宝", 9, "T6", "pinyin"),  # a Chinese mark written in pinyin
        ("可 口 · 可 乐 330ml", 32, "T7", ""),  # spaced out with punctuation
        ("N1KE 跑鞋", 25, "T8", "drawn like"),
        ("正品老千妈风味豆豉", 30, "T9", "千 looks like 干"),  # inside a longer run
        ("雷碧 柠檬味汽水", 32, "T10", "雷 looks like 雪"),
        ("旺子 牛奶 245ml", 29, "T11", "子 sounds like 仔"),  # 仔 is also read zi
        ("Nestlé 速溶咖啡", 30, "T12", "drawn like"),  # an accent
        ("Appel 手机壳", 9, "T13", "spelled like"),  # two letters swapped
        ("N I K E 跑鞋", 25, "T8", ""),  # letters spaced out
    ],
)
def test_look_alikes_are_leads(
    detector: TrademarkDetector, title: str, nice_class: int, mark: str, reason: str
) -> None:
    found = leads(detector, title, nice_class)
    assert mark in found, title
    finding = found[mark]
    assert finding.kind == "trademark" and 0.8 <= finding.score <= 1
    assert any(reason in str(r) for r in finding.reasons), finding.reasons


@pytest.mark.parametrize(
    ("title", "nice_class", "seller"),
    [
        ("可口可乐 330ml*24", 32, "可口可乐官方旗舰店"),  # a licensee, spelled with a space
        ("康师傅 红烧牛肉面", 30, "康师傅控股有限公司"),  # the holder
        ("康师傅 红烧牛肉面", 12, "某店"),  # another, unrelated class
        ("康熙 字典 收藏版", 30, "某店"),  # shares one character only
        ("大白菜 新鲜蔬菜", 30, "某店"),  # a generic word that merely starts alike
        ("NICE 跑鞋", 9, "某店"),  # another class
        ("小麦 面粉 5kg", 9, "某店"),
    ],
)
def test_not_leads(detector: TrademarkDetector, title: str, nice_class: int, seller: str) -> None:
    assert leads(detector, title, nice_class, seller) == {}


def test_similar_and_unknown_classes_weigh_less(detector: TrademarkDetector) -> None:
    same = leads(detector, "可口可乐 汽水", 32)["T7"].score
    similar = leads(detector, "可口可乐 汽水", 33)["T7"]  # drinks: class 33 is similar to 32
    unknown = leads(detector, "可口可乐 汽水", None)["T7"]
    assert same == 1.0 and similar.score < same and unknown.score < same
    assert any("similar" in str(r) for r in similar.reasons)
    assert leads(detector, "老干妈 辣椒酱 围裙", 25)["T9"].score < 1  # well-known reaches further
