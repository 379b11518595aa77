from datetime import date

import pytest

from ipfed.detection.patent_marking import PatentMarkingDetector, find_markings
from ipfed.detection.register import Licensee, PatentRecord, Register, ScreenedListing
from ipfed.registry.identifiers import PatentKind

HOLDER = "杭州张小泉集团有限公司"
PATENTS = [
    PatentRecord(
        "202020556601.1",
        PatentKind.UTILITY,
        "一种防滑折叠剪刀",
        HOLDER,
        "granted",
        expiry_date=date(2030, 4, 15),
    ),
    PatentRecord(
        "201910778812.1", PatentKind.INVENTION, "一种运动鞋底", "上海回力鞋业有限公司", "pending"
    ),
    PatentRecord(
        "201530123456.2",
        PatentKind.DESIGN,
        "包装盒",
        HOLDER,
        "granted",
        expiry_date=date(2025, 6, 1),
    ),
]
REGISTER = Register(patents=PATENTS, licensees={"202020556601.1": (Licensee("张小泉京东自营店"),)})


@pytest.fixture(scope="module")
def detector() -> PatentMarkingDetector:
    return PatentMarkingDetector(REGISTER, date(2026, 11, 21))


def reasons(detector: PatentMarkingDetector, text: str, seller: str = "某五金店") -> list[str]:
    found = detector.detect(ScreenedListing("L", text, seller))
    return [str(r) for f in found for r in f.reasons]


def test_numbers_are_found_however_written() -> None:
    text = "专利号：ＺＬ ２０２０２０５５６６０１．１ 另有 CN2020 2 0556601.1 订单号202020556601"
    markings = find_markings(text)
    assert [m.written for m in markings] == ["202020556601.1", "202020556601.1"]
    assert markings[0].claims_granted and not markings[0].claims_pending


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("折叠剪刀 专利号ZL202020556601.2", "cannot be a patent number"),  # wrong check digit
        ("折叠剪刀 专利号ZL202020556602.6", "no patent 202020556602.6 in the register"),
        ("运动鞋 已获发明专利 ZL201910778812.1", "pending application shown as granted"),
        ("运动鞋 专利 201910778812.1", "pending application shown as granted"),
        ("包装盒 外观专利 ZL201530123456.2", "expired on 2025-06-01"),
        ("剪刀 发明专利ZL202020556601.1", "a utility model, shown as an invention patent"),
        ("剪刀 实用新型 ZL202020556601.1", "who has not licensed the seller"),
    ],
)
def test_counterfeit_markings_are_leads(
    detector: PatentMarkingDetector, text: str, expected: str
) -> None:
    assert any(expected in r for r in reasons(detector, text)), reasons(detector, text)


@pytest.mark.parametrize(
    ("text", "seller"),
    [
        ("运动鞋 专利申请号201910778812.1 申请中", "上海回力鞋业有限公司"),  # honest pending
        ("剪刀 实用新型专利 ZL202020556601.1", HOLDER),
        ("剪刀 实用新型专利 ZL202020556601.1", "张小泉 京东自营店"),  # a licensee
        ("剪刀 货号 2020205566011 包邮", "某五金店"),  # digits, but no patent marking
    ],
)
def test_honest_markings_are_not_leads(
    detector: PatentMarkingDetector, text: str, seller: str
) -> None:
    assert reasons(detector, text, seller) == []
