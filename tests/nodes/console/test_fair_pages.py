"""The fair organizer's pages and the inspector's phone page: a fair registered, its
exhibits uploaded from a file (a bad file answered with the rejection report), flags
cleared or upheld with a reason by a person; a mark's QR code photographed at a booth,
read by the node and checked as a patrol scan, and an exhibit flagged by hand.

The phone's camera is the one thing faked: its photo is a PNG drawn by ``qrcode``."""

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from console import PASSWORD, Clock, app_client, csrf_of, sign_in, signed_in, submit
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum.cn import uscc

from ipfed.ledger.identity import Role
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.fairs import service
from ipfed.nodes.fairs.models import Exhibit, ExhibitCheck, Fair
from ipfed.nodes.marks.issuing import issue_mark
from ipfed.nodes.marks.lookup import mark_url
from ipfed.nodes.marks.models import BizStep, Mark, MarkEvent
from ipfed.nodes.marks.schemas import MarkIn
from ipfed.nodes.rights.models import Trademark
from ipfed.registry.qr import qr_png

ORGANIZER = "上海食品博览会有限公司"
OTHER_ORGANIZER = "杭州会展有限公司"
INSPECTORS = "上海市市场监督管理局执法总队"
GUANSHENGYUAN = (
    "上海冠生园食品有限公司",
    "91310000132200821" + uscc.calc_check_digit("91310000132200821"),
)
YIWU = ("义乌市副食批发商行", "92330782MA29C7TB03")
HEADER = "exhibitor,uscc,booth,exhibit,nice_class,mark\n"


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


def register(client: TestClient, clock: Clock, name: str = "上海食品博览会") -> str:
    opens = clock().date() + timedelta(days=7)
    form = {
        "name": name,
        "venue": "国家会展中心（上海）",
        "region_code": "310000",
        "category": "食品",
        "starts_on": opens.isoformat(),
        "ends_on": (opens + timedelta(days=2)).isoformat(),
    }
    answer = submit(client, "/console/fairs", "/console/fairs", form)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.endswith("?done=registered")
    return location.removeprefix("/console/fairs/").split("?")[0]


def upload(client: TestClient, fair_id: str, name: str, content: str) -> tuple[int, str]:
    page = client.get(f"/console/fairs/{fair_id}")
    answer = client.post(
        f"/console/fairs/{fair_id}/exhibits",
        data={"csrf_token": csrf_of(page)},
        files={"exhibits": (name, content.encode(), "text/csv")},
        follow_redirects=True,
    )
    return answer.status_code, answer.text


def test_an_organizer_registers_uploads_and_clears_a_flag_with_its_name_recorded(
    client: TestClient, db: Session, clock: Clock
) -> None:
    organizer = signed_in(client, db, "wang.fang", ORGANIZER, Role.FAIR)
    assert "展会" in client.get("/console").text  # the link in the navigation
    fair_id = register(client, clock)
    rows = f"{YIWU[0]},{YIWU[1]},B-12,大白兔奶糖,30,\n{YIWU[0]},{YIWU[1]},B-12,芝麻糖,30,\n"
    status, page = upload(client, fair_id, "exhibits.csv", HEADER + rows)
    assert status == 200, page
    assert "参展商和展品已导入并核查" in page and "疑似仿冒注册商标" in page
    assert "data-untranslated" not in page
    candy = db.scalar(select(Exhibit).where(Exhibit.name == "大白兔奶糖"))
    assert candy is not None and candy.check is ExhibitCheck.FLAGGED

    action = f"/console/fairs/{fair_id}/exhibits/{candy.id}/flags/0"
    without_reason = submit(client, f"/console/fairs/{fair_id}", action, {"decision": "cleared"})
    assert without_reason.status_code == 422 and "data-untranslated" not in without_reason.text

    upheld = submit(
        client, f"/console/fairs/{fair_id}", action, {"decision": "upheld", "reason": "外包装近似"}
    )
    assert upheld.status_code == 303
    db.expire_all()
    assert candy.check is ExhibitCheck.FLAGGED and candy.flags[0]["review"]["decision"] == "upheld"

    reason = "展商出示了冠生园的授权书"
    cleared = submit(
        client, f"/console/fairs/{fair_id}", action, {"decision": "cleared", "reason": reason}
    )
    assert cleared.status_code == 303
    db.expire_all()
    review = candy.flags[0]["review"]
    assert candy.check is ExhibitCheck.CLEARED
    assert review["decision"] == "cleared" and review["reason"] == reason
    assert review["person"] == organizer.id and review["by"] == ORGANIZER
    page = client.get(f"/console/fairs/{fair_id}?lang=en").text
    assert "Cleared" in page and reason in page and "data-untranslated" not in page
    assert f"{ORGANIZER} · {organizer.name}" in page


def test_a_bad_file_gets_the_rejection_report_and_nothing_is_stored(
    client: TestClient, db: Session, clock: Clock
) -> None:
    signed_in(client, db, "wang.fang", ORGANIZER, Role.FAIR)
    fair_id = register(client, clock)
    rows = f"{YIWU[0]},91330782MA29C7TB0X,B-12,芝麻糖,30,\n{YIWU[0]},{YIWU[1]},B-12,,30,\n"
    status, page = upload(client, fair_id, "exhibits.csv", HEADER + rows)
    assert status == 422
    assert "文件未导入" in page and 'id="rejections"' in page
    assert "<td>2</td><td>uscc</td>" in page and "<td>3</td><td>exhibit</td>" in page
    assert db.scalars(select(Exhibit)).all() == []
    status, page = upload(client, fair_id, "exhibits.xlsx", "not a table")
    assert status == 422 and "无法读取文件" in page


def test_a_form_without_its_csrf_token_is_refused(
    client: TestClient, db: Session, clock: Clock
) -> None:
    signed_in(client, db, "wang.fang", ORGANIZER, Role.FAIR)
    fair_id = register(client, clock)
    answer = client.post(
        f"/console/fairs/{fair_id}/exhibits",
        files={"exhibits": ("exhibits.csv", HEADER.encode(), "text/csv")},
    )
    assert answer.status_code == 403
    refused = client.post("/console/fairs", data={"name": "没有令牌的展会"})
    assert refused.status_code == 403
    assert db.scalars(select(Fair).where(Fair.name == "没有令牌的展会")).all() == []


def test_one_organizer_never_sees_another_organizers_fair(
    client: TestClient, db: Session, clock: Clock
) -> None:
    signed_in(client, db, "wang.fang", ORGANIZER, Role.FAIR)
    fair_id = register(client, clock, name="上海食品博览会")
    rows = f"{YIWU[0]},{YIWU[1]},B-12,大白兔奶糖,30,\n"
    assert upload(client, fair_id, "exhibits.csv", HEADER + rows)[0] == 200
    candy = db.scalar(select(Exhibit))
    assert candy is not None

    signed_in(client, db, "li.na", OTHER_ORGANIZER, Role.FAIR)
    assert "上海食品博览会" not in client.get("/console/fairs").text
    assert client.get(f"/console/fairs/{fair_id}").status_code == 403
    assert client.get(f"/console/patrol/{fair_id}").status_code == 403
    status, _ = upload(client, fair_id, "exhibits.csv", HEADER + rows.replace("B-12", "C-1"))
    assert status == 403
    own = register(client, clock, name="杭州食品展")
    action = f"/console/fairs/{fair_id}/exhibits/{candy.id}/flags/0"
    answer = submit(client, f"/console/fairs/{own}", action, {"decision": "cleared", "reason": "x"})
    assert answer.status_code == 403
    db.expire_all()
    assert candy.check is ExhibitCheck.FLAGGED and candy.flags[0]["review"] is None


# --- the inspector's phone page -------------------------------------------------


def photo_of(text: str) -> bytes:
    """A phone's photo of a QR code: the code drawn, on a larger grey background."""
    code = Image.open(io.BytesIO(qr_png(text))).convert("RGB")
    photo = Image.new("RGB", (code.width + 200, code.height + 300), (200, 200, 190))
    photo.paste(code, (100, 150))
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=90)
    return out.getvalue()


def blank_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 140, 160)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def open_fair(client: TestClient, db: Session, settings: NodeSettings, clock: Clock) -> Fair:
    """An organizer's fair with 冠生园 at booth A-01 showing 大白兔 with its mark, open today."""
    signed_in(client, db, "wang.fang", ORGANIZER, Role.FAIR)
    right = db.scalar(select(Trademark).where(Trademark.number == "1587423"))
    assert right is not None
    mark = issue_mark(
        db=db,
        settings=settings,
        request=MarkIn(right_id=right.id, holder_uscc=GUANSHENGYUAN[1]),
        today=datetime.now(UTC).date(),
    )
    db.commit()
    fair_id = register(client, clock)
    who = f"{GUANSHENGYUAN[0]},{GUANSHENGYUAN[1]},A-01"
    rows = f"{who},大白兔奶糖,30,{mark.token}\n{who},大白兔 太妃糖,30,\n"
    assert upload(client, fair_id, "exhibits.csv", HEADER + rows)[0] == 200
    fair = db.get(Fair, fair_id)
    assert fair is not None
    # The patrol page's day is the test clock's; a scan is timed by the real clock. In
    # China either may be a day ahead of the other: the fair is open on both.
    days = sorted((service.fair_today(clock()), service.fair_today()))
    fair.starts_on, fair.ends_on = days[0], days[1] + timedelta(days=1)
    db.commit()
    return fair


def exhibit_named(db: Session, name: str) -> Exhibit:
    found = db.scalar(select(Exhibit).where(Exhibit.name == name))
    assert found is not None
    return found


def scan(client: TestClient, fair: Fair, exhibit: Exhibit, photo: bytes) -> tuple[int, str]:
    page = client.get(f"/console/patrol/{fair.id}?booth=A-01")
    assert page.status_code == 200
    answer = client.post(
        f"/console/patrol/{fair.id}/exhibits/{exhibit.id}/scan",
        data={"csrf_token": csrf_of(page)},
        files={"photo": ("photo.jpg", photo, "image/jpeg")},
    )
    return answer.status_code, answer.text


def test_an_inspector_scans_a_mark_and_sees_the_verdict_recorded_as_its_organisation(
    client: TestClient, db: Session, settings: NodeSettings, open_fair: Fair
) -> None:
    signed_in(client, db, "zhao.lei", INSPECTORS, Role.ENFORCEMENT)
    picked = client.get("/console/patrol").text
    assert open_fair.name in picked
    booth = client.get(f"/console/patrol/{open_fair.id}?booth=A-01").text
    assert 'capture="environment"' in booth and "大白兔奶糖" in booth
    candy = exhibit_named(db, "大白兔奶糖")
    mark = db.get(Mark, candy.mark_id)
    assert mark is not None
    status, page = scan(
        client, open_fair, candy, photo_of(mark_url(settings=settings, token=mark.token))
    )
    assert status == 200, page
    assert "verdict-good" in page and "标识有效" in page
    event = db.scalar(
        select(MarkEvent).where(
            MarkEvent.org == INSPECTORS, MarkEvent.biz_step == BizStep.INSPECTING
        )
    )
    assert event is not None and event.mark_id == mark.id


def test_a_photo_without_a_qr_code_gets_a_clear_message(
    client: TestClient, db: Session, open_fair: Fair
) -> None:
    signed_in(client, db, "zhao.lei", INSPECTORS, Role.ENFORCEMENT)
    candy = exhibit_named(db, "大白兔奶糖")
    status, page = scan(client, open_fair, candy, blank_photo())
    assert status == 422 and "照片中未识别到二维码" in page
    status, page = scan(client, open_fair, candy, b"not an image at all")
    assert status == 422 and "data-untranslated" not in page


def test_a_qr_code_of_a_foreign_host_is_not_looked_at_and_flags_the_exhibit(
    client: TestClient, db: Session, open_fair: Fair
) -> None:
    """As the patrol scan of the API answers it: the exhibit flagged, nothing recorded."""
    signed_in(client, db, "zhao.lei", INSPECTORS, Role.ENFORCEMENT)
    candy = exhibit_named(db, "大白兔奶糖")
    assert candy.mark_token is not None
    foreign = photo_of("https://ipfed.example/v/" + candy.mark_token)
    status, page = scan(client, open_fair, candy, foreign)
    assert status == 200 and "verdict-bad" in page and "核验地址不属于本联盟" in page
    db.expire_all()
    assert candy.check is ExhibitCheck.FLAGGED
    assert db.scalars(select(MarkEvent).where(MarkEvent.org == INSPECTORS)).all() == []


def test_an_inspector_flags_an_exhibit_by_hand_with_a_reason(
    client: TestClient, db: Session, open_fair: Fair
) -> None:
    inspector = signed_in(client, db, "zhao.lei", INSPECTORS, Role.ENFORCEMENT)
    toffee = exhibit_named(db, "大白兔 太妃糖")
    page_path = f"/console/patrol/{open_fair.id}?booth=A-01"
    action = f"/console/patrol/{open_fair.id}/exhibits/{toffee.id}/flag"
    assert submit(client, page_path, action, {"reason": ""}).status_code == 422
    answer = submit(client, page_path, action, {"reason": "包装与注册商标不符"})
    assert answer.status_code == 303
    db.expire_all()
    assert toffee.check is ExhibitCheck.FLAGGED
    (flagged,) = [f for f in toffee.flags if f["code"] == "flagged_by_inspector"]
    assert flagged["evidence"] == {"org": INSPECTORS, "person": inspector.id}
    client.cookies.clear()
    assert sign_in(client, "wang.fang", PASSWORD).status_code == 303  # the organizer
    page = client.get(f"/console/fairs/{open_fair.id}").text
    assert "巡查人员标记" in page and f"{INSPECTORS} · {inspector.name}" in page


def test_a_live_cameras_frame_is_only_read_and_nothing_is_recorded(
    client: TestClient, db: Session, settings: NodeSettings, open_fair: Fair
) -> None:
    signed_in(client, db, "zhao.lei", INSPECTORS, Role.ENFORCEMENT)
    page = client.get(f"/console/patrol/{open_fair.id}?booth=A-01")
    assert "data-live" in page.text
    candy = exhibit_named(db, "大白兔奶糖")
    assert candy.mark_token is not None
    url = mark_url(settings=settings, token=candy.mark_token)

    def read(photo: bytes) -> tuple[int, dict[str, str]]:
        answer = client.post(
            "/console/patrol/read",
            data={"csrf_token": csrf_of(page)},
            files={"photo": ("frame.jpg", photo, "image/jpeg")},
        )
        return answer.status_code, answer.json()

    assert read(photo_of(url)) == (200, {"text": url})
    status, refused = read(blank_photo())
    assert status == 422 and refused["error"] == "no_qr_in_photo"
    assert db.scalars(select(MarkEvent).where(MarkEvent.org == INSPECTORS)).all() == []
    without_token = client.post(
        "/console/patrol/read", files={"photo": ("frame.jpg", photo_of(url), "image/jpeg")}
    )
    assert without_token.status_code == 403
