"""The platform's mark check: a mark's URL pasted (or its bare token), a photo of its
label read by the node, the verdict the public page gives, whether a seller is the
holder or the licensee, the check recorded as a scan when asked (two sellers of one
unit code: a clone alert), and bad input answered on the page with a 4xx.

The phone's camera is the one thing faked: its photo is a PNG drawn by ``qrcode``."""

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from console import Clock, app_client, csrf_of, signed_in
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum.cn import uscc

from ipfed.ledger.identity import Role
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.marks.issuing import issue_mark, issue_units
from ipfed.nodes.marks.lookup import mark_url
from ipfed.nodes.marks.models import BizStep, CloneAlert, Mark, MarkEvent
from ipfed.nodes.marks.photos import MAX_PHOTO_BYTES
from ipfed.nodes.marks.schemas import MarkIn
from ipfed.nodes.marks.status import change_status
from ipfed.nodes.marks.verdicts import Standing, standing_of
from ipfed.nodes.rights.models import Trademark
from ipfed.registry.credential import Claims, RightType
from ipfed.registry.lifecycle import MarkStatus
from ipfed.registry.qr import qr_png

PLATFORM = "某电商平台"
OFFICE = "上海市知识产权局"


def code(base: str) -> str:
    return base + uscc.calc_check_digit(base)


HOLDER = code("91310000132200821")  # 冠生园, holder of 大白兔
SELLER = code("91330782MA29C7TB0")
OTHER_SELLER = code("91310115MA1K3YJ1X")


@pytest.fixture
def client(
    engine: Engine,
    sessions: sessionmaker[Session],
    office: NodeSettings,
    clock: Clock,
    sample_data: None,
) -> Iterator[TestClient]:
    """The Shanghai node with its identity (so it verifies its marks) and the sample register."""
    yield from app_client(office, engine, sessions, clock)


@pytest.fixture
def platform(client: TestClient, db: Session) -> TestClient:
    signed_in(client, db, "chen.jing", PLATFORM, Role.PLATFORM, name="陈静")
    return client


@pytest.fixture
def mark(db: Session, settings: NodeSettings) -> Mark:
    """大白兔, class 30, held by 冠生园."""
    right = db.scalar(select(Trademark).where(Trademark.number == "1587423"))
    assert right is not None
    issued = issue_mark(
        db=db,
        settings=settings,
        request=MarkIn(right_id=right.id, holder_uscc=HOLDER),
        today=datetime.now(UTC).date(),
    )
    db.commit()
    return issued


def check(
    client: TestClient, photo: bytes | None = None, lang: str = "zh", **form: str
) -> tuple[int, str]:
    page = client.get(f"/console/check?lang={lang}")
    assert page.status_code == 200
    files = {"photo": ("photo.jpg", photo, "image/jpeg")} if photo is not None else None
    answer = client.post(
        f"/console/check?lang={lang}", data={"csrf_token": csrf_of(page), **form}, files=files
    )
    return answer.status_code, answer.text


def photo_of(text: str) -> bytes:
    """A phone's photo of a QR label: the code drawn, on a larger grey background."""
    drawn = Image.open(io.BytesIO(qr_png(text))).convert("RGB")
    photo = Image.new("RGB", (drawn.width + 200, drawn.height + 300), (200, 200, 190))
    photo.paste(drawn, (100, 150))
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=90)
    return out.getvalue()


def test_a_platform_person_has_the_page_in_the_navigation(platform: TestClient) -> None:
    home = platform.get("/console").text
    assert 'href="/console/check"' in home and "核验标识" in home
    page = platform.get("/console/check").text
    assert (
        'name="mark"' in page
        and 'name="photo"' in page
        and 'data-read="/console/check/read"' in page
    )


def test_a_pasted_url_gets_the_verdict_what_it_covers_and_the_sellers_standing(
    platform: TestClient, settings: NodeSettings, mark: Mark
) -> None:
    url = mark_url(settings=settings, token=mark.token)
    status, page = check(platform, mark=url, seller=HOLDER)
    assert status == 200, page
    assert "正品标识" in page and "大白兔" in page and mark.holder in page
    assert "是该标识的权利人" in page
    status, page = check(platform, mark=mark.token, seller=SELLER)
    assert status == 200 and "无权使用该标识" in page
    assert "data-untranslated" not in page


def test_a_photo_of_the_label_is_read_by_the_node(
    platform: TestClient, settings: NodeSettings, mark: Mark
) -> None:
    status, page = check(platform, photo_of(mark_url(settings=settings, token=mark.token)))
    assert status == 200, page
    assert "正品标识" in page and "大白兔" in page


def test_a_suspended_mark_is_shown_as_suspended_with_the_offices_reason(
    platform: TestClient, db: Session, settings: NodeSettings, mark: Mark
) -> None:
    change_status(
        db=db, settings=settings, mark=mark, status=MarkStatus.SUSPENDED, reason="核查中", by=OFFICE
    )
    db.commit()
    status, page = check(platform, mark=mark.token)
    assert status == 410 and "标识已暂停使用" in page and "核查中" in page


def test_checks_recorded_as_scans_by_two_sellers_raise_a_clone_alert(
    platform: TestClient, db: Session, settings: NodeSettings, mark: Mark
) -> None:
    _, (unit,) = issue_units(
        db=db, settings=settings, mark=mark, batch_number="B-1", quantity=1, by=OFFICE
    )
    db.commit()
    status, page = check(platform, mark=unit.token, seller=SELLER, record="1")
    assert status == 200 and "已记录本次核验" in page and "正品标识" in page
    assert "转售带有正品单件码的商品" in page
    event = db.scalar(select(MarkEvent).where(MarkEvent.org == PLATFORM))
    assert event is not None and event.biz_step == BizStep.RETAIL_SELLING
    assert event.seller_uscc == SELLER and event.unit_serial == unit.serial

    status, page = check(platform, mark=unit.token, seller=OTHER_SELLER, record="1")
    assert status == 200 and "疑似复制的标识" in page and "新的克隆预警：1" in page
    assert db.scalar(select(CloneAlert).where(CloneAlert.unit_serial == unit.serial))

    status, page = check(platform, mark=unit.token)  # not recorded: only looked at
    assert "疑似复制的标识" in page and "已记录" not in page
    assert len(db.scalars(select(MarkEvent).where(MarkEvent.org == PLATFORM)).all()) == 2


@pytest.mark.parametrize(
    ("form", "status", "words"),
    [
        ({"mark": "hello, this is no mark"}, 422, "这不是标识的网址或编码"),
        ({"mark": "https://shop.example/item/12345678901234567890"}, 422, "这不是标识的网址"),
        ({"mark": "A" * 60}, 400, "无法核验"),  # a token nobody issued
        ({"mark": ""}, 422, "请粘贴标识网址"),
        ({"mark": "https://ipfed.example/v/" + "A" * 60}, 422, "核验地址不属于本联盟"),
    ],
)
def test_bad_text_is_answered_on_the_page(
    platform: TestClient, form: dict[str, str], status: int, words: str
) -> None:
    answered, page = check(platform, **form)
    assert answered == status and words in page and "data-untranslated" not in page


def test_a_bad_sellers_code_is_answered_on_the_page(platform: TestClient, mark: Mark) -> None:
    status, page = check(platform, mark=mark.token, seller="91310000ABCDEFGH")
    assert status == 422 and "统一社会信用代码无效" in page


def test_bad_photos_are_answered_on_the_page(platform: TestClient) -> None:
    blank = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 140, 160)).save(blank, format="JPEG")
    status, page = check(platform, blank.getvalue())
    assert status == 422 and "照片中未识别到二维码" in page
    status, page = check(platform, b"not an image at all")
    assert status == 422 and "data-untranslated" not in page and 'role="alert"' in page
    status, page = check(platform, photo_of("https://shop.example/item/12345678901234567890"))
    assert status == 422 and "该二维码不是知识产权标识" in page
    status, page = check(platform, b"\xff" * (MAX_PHOTO_BYTES + 1))
    assert status == 422 and "照片过大" in page


def test_the_page_speaks_english_when_asked(
    platform: TestClient, settings: NodeSettings, mark: Mark
) -> None:
    status, page = check(platform, lang="en", mark=mark.token, seller=HOLDER)
    assert status == 200 and "Genuine mark" in page and "is the mark&#39;s holder" in page


def test_a_live_cameras_frame_is_only_read(
    platform: TestClient, db: Session, settings: NodeSettings, mark: Mark
) -> None:
    page = platform.get("/console/check")
    url = mark_url(settings=settings, token=mark.token)
    answer = platform.post(
        "/console/check/read",
        data={"csrf_token": csrf_of(page)},
        files={"photo": ("frame.jpg", photo_of(url), "image/jpeg")},
    )
    assert answer.status_code == 200 and answer.json() == {"text": url}
    assert db.scalar(select(MarkEvent).where(MarkEvent.org == PLATFORM)) is None


def test_who_may_not_scan_marks_may_not_open_the_page(client: TestClient, db: Session) -> None:
    signed_in(client, db, "li.ming", "上海市知识产权保护中心", Role.ASSISTANCE_CENTRE)
    assert client.get("/console/check").status_code == 403
    assert 'href="/console/check"' not in client.get("/console").text


def claims(**extra: object) -> Claims:
    base: dict[str, object] = {
        "mark_id": "01J00000000000000000000000",
        "right_type": RightType.TRADEMARK,
        "right_number": "1587423",
        "holder": HOLDER,
        "valid_from": date(2026, 1, 1),
        "valid_until": date(2030, 1, 1),
        "status_index": 1,
    }
    return Claims(**{**base, **extra})  # type: ignore[arg-type]


def test_a_sellers_standing_follows_the_holder_and_licensee_rule() -> None:
    assert standing_of(claims(), HOLDER) is Standing.HOLDER
    assert standing_of(claims(), SELLER) is Standing.UNAUTHORISED
    licensed = claims(licensee=SELLER)
    assert standing_of(licensed, SELLER) is Standing.LICENSEE
    assert standing_of(licensed, HOLDER) is Standing.UNAUTHORISED  # scoped to its licensee
    unit = claims(unit_serial="ABCDEFGH", batch="B-1")
    assert standing_of(unit, OTHER_SELLER) is Standing.RESELLER
