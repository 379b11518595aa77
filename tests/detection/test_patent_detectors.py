"""Design patents by perceptual hashing of real images, and inventions by the
all-elements rule on the independent claim."""

import io
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from ipfed.detection.designs import DesignDetector
from ipfed.detection.errors import UnreadableImage
from ipfed.detection.inventions import InventionDetector, claim_elements
from ipfed.detection.register import PatentRecord, Register, ScreenedListing
from ipfed.registry.identifiers import PatentKind

TODAY = date(2026, 11, 21)


class Drawings:
    """Drawings read from a folder: the engine's image source, as a test has it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, uri: str) -> bytes:
        try:
            return (self.folder / uri).read_bytes()
        except OSError as exc:
            raise UnreadableImage(f"cannot read image {uri}: {exc.strerror}") from None


def speaker(size: int = 400, stripes: int = 5) -> Image.Image:
    """A drawing of a cylindrical speaker: body, grille stripes, a button."""
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((120, 40, 280, 360), radius=60, outline="black", width=6, fill="#ddd")
    for i in range(stripes):
        y = 90 + i * 40
        draw.line((140, y, 260, y), fill="black", width=4)
    draw.ellipse((185, 300, 215, 330), fill="black")
    return image


def kettle(size: int = 400) -> Image.Image:
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    draw.polygon([(80, 340), (320, 340), (280, 120), (120, 120)], outline="black", width=6)
    draw.arc((260, 150, 380, 300), 270, 90, fill="black", width=6)
    draw.line((60, 140, 120, 180), fill="black", width=6)
    return image


def jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


@pytest.fixture
def designs(tmp_path: Path) -> DesignDetector:
    drawing = tmp_path / "front.png"
    speaker().save(drawing)
    register = Register(
        patents=[
            PatentRecord(
                "201930778899.3",
                PatentKind.DESIGN,
                "蓝牙音箱(圆柱形)",
                "惠州市声悦电子有限公司",
                "granted",
                locarno_class="14-01",
                design_images=(str(drawing),),
            )
        ]
    )
    return DesignDetector(register, TODAY, Drawings(tmp_path))


def listing(image: Image.Image, nice_class: int = 9, seller: str = "数码配件城") -> ScreenedListing:
    return ScreenedListing("L", "蓝牙音箱", seller, nice_class, images=(jpeg(image),))


def test_a_copied_product_image_is_a_design_lead(designs: DesignDetector) -> None:
    photo = speaker().resize((300, 300)).filter(ImageFilter.GaussianBlur(1.5))
    for image in (photo, ImageOps.mirror(photo)):
        found = designs.detect(listing(image))
        assert [f.right_id for f in found] == ["201930778899.3"]
        assert found[0].kind == "design" and found[0].score >= 0.85
        assert any("Locarno class 14-01" in str(r) for r in found[0].reasons)


def test_other_products_classes_and_sellers_are_not(designs: DesignDetector) -> None:
    assert designs.detect(listing(kettle())) == []
    assert designs.detect(listing(speaker(stripes=1).rotate(90))) == []
    assert designs.detect(listing(speaker(), nice_class=25)) == []  # clothing: Locarno 02
    assert designs.detect(listing(speaker(), seller="惠州市声悦电子有限公司")) == []
    assert designs.detect(ScreenedListing("L", "x", "y", 9, images=(b"not an image",))) == []


def test_unreadable_drawings_are_reported_not_fatal(tmp_path: Path) -> None:
    register = Register(
        patents=[
            PatentRecord(
                "201930778899.3",
                PatentKind.DESIGN,
                "音箱",
                "某公司",
                "granted",
                design_images=(str(tmp_path / "missing.png"),),
            )
        ]
    )
    detector = DesignDetector(register, TODAY, Drawings(tmp_path))
    assert len(detector.unreadable) == 1 and detector.detect(listing(speaker())) == []


CLAIM = (
    "一种防滑折叠剪刀，包括刀片、手柄和转轴，其特征在于：所述手柄外侧设有防滑纹，"
    "所述转轴设有锁止机构。"
)


@pytest.fixture
def inventions() -> InventionDetector:
    patents = [
        PatentRecord(
            "202020556601.1",
            PatentKind.UTILITY,
            "一种防滑折叠剪刀",
            "杭州张小泉集团有限公司",
            "granted",
            expiry_date=date(2030, 4, 15),
            independent_claim=CLAIM,
        ),
        PatentRecord(
            "201410556677.1",
            PatentKind.INVENTION,
            "一种折叠剪刀",
            "某公司",
            "expired",
            independent_claim=CLAIM,
        ),
    ]
    return InventionDetector(Register(patents=patents), TODAY)


def test_claim_elements() -> None:
    assert [e.text for e in claim_elements(CLAIM)] == [
        "一种防滑折叠剪刀",
        "刀片",
        "手柄",
        "转轴",
        "所述手柄外侧设有防滑纹",
        "所述转轴设有锁止机构",
    ]


def test_a_product_with_every_element_is_an_invention_lead(inventions: InventionDetector) -> None:
    description = "不锈钢刀片，手柄外侧有防滑纹，转轴带锁止机构，可折叠，防滑剪刀"
    found = inventions.detect(ScreenedListing("L", "防滑折叠剪刀 家用", "五金店", 8, description))
    assert [f.right_id for f in found] == ["202020556601.1"]  # not the expired one
    assert any("elements found" in str(r) and "锁止机构" in str(r) for r in found[0].reasons)


def test_a_missing_element_is_no_lead_and_is_named(inventions: InventionDetector) -> None:
    description = "不锈钢刀片，手柄外侧有防滑纹，转轴，可折叠，防滑剪刀"
    assert inventions.detect(ScreenedListing("L", "折叠剪刀", "五金店", 8, description)) == []
    found, missing = inventions.explain("202020556601.1", description)
    assert missing == ["所述转轴设有锁止机构"] and "刀片" in found
    holder = ScreenedListing(
        "L", "防滑折叠剪刀", "杭州张小泉集团有限公司", 8, "刀片 手柄外侧防滑纹 转轴锁止机构"
    )
    assert inventions.detect(holder) == []
