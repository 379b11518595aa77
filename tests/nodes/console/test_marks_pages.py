"""The office's marks pages in the console: marks listed, searched and paged; a mark's
page with what it covers, its timeline and its clone alerts in words; a mark issued,
suspended and reinstated by a person with a reason; unit codes requested; labels
printed as PNG and PDF whose QR codes hold the verification URL."""

import io
import re
from collections.abc import Iterator

import pytest
import zxingcpp
from console import PASSWORD, Clock, add_person, app_client, csrf_of, sign_in, submit
from fastapi.testclient import TestClient
from PIL import Image
from rights import warrior
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.identity import Role
from ipfed.nodes.accounts.models import Account
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.marks import scans
from ipfed.nodes.marks.issuing import issue_mark, issue_units
from ipfed.nodes.marks.lookup import mark_url
from ipfed.nodes.marks.models import BizStep, Mark, MarkEvent, UnitBatch
from ipfed.nodes.marks.schemas import MarkIn, ScanIn
from ipfed.nodes.rights.models import Right
from ipfed.registry.lifecycle import MarkStatus

FOREIGN = "浙江省知识产权局"
HOLDER = "91310115MA1FL3QX0F"
SELLERS = ("91330106MA27Y8K10G", "91310104MA1G5R2N0T")
MARK_LINKS = re.compile(r'href="/console/marks/([0-9A-Z]{26})"')


@pytest.fixture
def client(
    engine: Engine, sessions: sessionmaker[Session], office: NodeSettings, clock: Clock
) -> Iterator[TestClient]:
    """The Shanghai node with its identity: its marks are signed and anchored."""
    yield from app_client(
        office.model_copy(update={"ledger_sync_seconds": 0}), engine, sessions, clock
    )


@pytest.fixture
def officer(client: TestClient, db: Session, office: NodeSettings) -> Account:
    account = add_person(db, "he.ping", office.org_name, name="何平")
    assert sign_in(client, "he.ping", PASSWORD).status_code == 303
    return account


@pytest.fixture
def right(db: Session) -> Right:
    found = warrior()
    db.add(found)
    db.commit()
    return found


@pytest.fixture
def mark(db: Session, office: NodeSettings, right: Right, clock: Clock) -> Mark:
    asked = MarkIn(right_id=right.id, holder_uscc=HOLDER)
    issued = issue_mark(db=db, settings=office, request=asked, today=clock().date())
    db.commit()
    return issued


def test_the_marks_list_searches_and_pages(
    client: TestClient,
    officer: Account,
    db: Session,
    office: NodeSettings,
    mark: Mark,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ipfed.nodes.console import marks as pages

    other = warrior(holder="上海某鞋业有限公司")
    other.number = "7654321"
    db.add(other)
    db.commit()
    asked = MarkIn(right_id=other.id, holder_uscc=HOLDER)
    second = issue_mark(db=db, settings=office, request=asked, today=mark.valid_from)
    db.commit()

    page = client.get("/console/marks")
    assert page.status_code == 200 and "data-untranslated" not in page.text
    assert MARK_LINKS.findall(page.text) == [second.id, mark.id]  # newest first
    assert "电子标识" in page.text and "有效" in page.text
    assert MARK_LINKS.findall(client.get("/console/marks?q=4410392").text) == [mark.id]
    assert MARK_LINKS.findall(client.get("/console/marks?q=某鞋业").text) == [second.id]
    assert MARK_LINKS.findall(client.get("/console/marks?q=nothing-like-it").text) == []
    assert "Marks" in client.get("/console/marks?lang=en").text

    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    seen, url = [], "/console/marks"
    while url:
        shown = client.get(url)
        seen += MARK_LINKS.findall(shown.text)
        found = re.search(r'href="(/console/marks\?[^"]*after=[^"]+)"', shown.text)
        url = found.group(1).replace("&amp;", "&") if found else ""
    assert seen == [second.id, mark.id]

    bad = client.get("/console/marks?after=not-a-mark")
    assert bad.status_code == 422 and "bad_cursor" in bad.text


def test_the_mark_page_shows_its_timeline_and_clone_alerts_in_words(
    client: TestClient, officer: Account, db: Session, office: NodeSettings, mark: Mark
) -> None:
    batch, units = issue_units(
        db=db, settings=office, mark=mark, batch_number="B-1", quantity=1, by=office.org_name
    )
    db.commit()
    platform = scans.Reporter("某电商平台", Role.PLATFORM, "abcdefgh")
    for seller in SELLERS:
        scan = ScanIn(
            token=mark_url(settings=office, token=units[0].token),
            biz_step=BizStep.RETAIL_SELLING,
            seller_uscc=seller,
        )
        scans.record_scan(db=db, settings=office, scan=scan, by=platform)
    db.commit()

    page = client.get(f"/console/marks/{mark.id}")
    assert page.status_code == 200 and "data-untranslated" not in page.text
    text = page.text
    assert "4410392" in text and "回力 WARRIOR" in text and "上海回力鞋业有限公司" in text
    assert "第25类 服装鞋帽" in text
    for shown in ("签发", "签发单件码批次", "平台核验扫码", "多个卖家使用", "仅凭一方报告"):
        assert shown in text, shown
    assert units[0].serial in text and f"/batches/{batch.id}/labels.pdf" in text
    english = client.get(f"/console/marks/{mark.id}?lang=en").text
    assert "Checked by a platform" in english and "Several sellers" in english
    assert "data-untranslated" not in english

    assert client.get("/console/marks/01ARZ3NDEKTSV4RRFFQ69G5FAV").status_code == 404
    assert client.get("/console/marks/nonsense").status_code == 422


def test_a_person_issues_a_mark_from_the_form(
    client: TestClient, officer: Account, db: Session, right: Right
) -> None:
    form = {"right_number": "4410392", "holder_uscc": HOLDER, "nice_classes": "25"}
    issued = submit(client, "/console/marks", "/console/marks", form)
    assert issued.status_code == 303, issued.text
    mark_id = issued.headers["location"].split("/")[-1].split("?")[0]
    (event,) = db.scalars(select(MarkEvent).where(MarkEvent.mark_id == mark_id)).all()
    assert event.person_id == officer.id
    page = client.get(issued.headers["location"])
    assert "已签发" in page.text and "何平" in page.text

    unknown = submit(client, "/console/marks", "/console/marks", {**form, "right_number": "1"})
    assert unknown.status_code == 422 and "登记册中没有此权利号" in unknown.text
    assert f'value="{HOLDER}"' in unknown.text  # the form as it was filled in
    bad = submit(client, "/console/marks", "/console/marks", {**form, "holder_uscc": "123"})
    assert bad.status_code == 422 and "表单填写有误" in bad.text
    outside = submit(client, "/console/marks", "/console/marks", {**form, "nice_classes": "9"})
    assert outside.status_code == 422 and "超出注册的类别范围" in outside.text
    assert db.scalar(select(Mark.id).where(Mark.id != mark_id)) is None


def test_suspend_and_reinstate_with_a_reason_by_the_person(
    client: TestClient, officer: Account, db: Session, mark: Mark
) -> None:
    page = f"/console/marks/{mark.id}"
    action = f"{page}/status"
    suspended = submit(client, page, action, {"status": "suspended", "reason": "涉嫌假冒"})
    assert suspended.status_code == 303
    shown = client.get(suspended.headers["location"]).text
    assert "已暂停。" in shown and "涉嫌假冒" in shown and "何平" in shown
    db.expire_all()
    assert db.get(Mark, mark.id).status is MarkStatus.SUSPENDED  # type: ignore[union-attr]
    events = db.scalars(select(MarkEvent).where(MarkEvent.mark_id == mark.id)).all()
    assert events[-1].person_id == officer.id and events[-1].detail["reason"] == "涉嫌假冒"

    again = submit(client, page, action, {"status": "suspended", "reason": "再次"})
    assert again.status_code == 409 and "该标识当前状态不能如此变更" in again.text
    revoke = submit(client, page, action, {"status": "revoked", "reason": "不在此处"})
    assert revoke.status_code == 422 and "此处只能暂停或恢复" in revoke.text
    assert submit(client, page, action, {"status": "suspended", "reason": ""}).status_code == 422
    reinstated = submit(client, page, action, {"status": "active", "reason": "核查无误"})
    assert reinstated.status_code == 303
    db.expire_all()
    assert db.get(Mark, mark.id).status is MarkStatus.ACTIVE  # type: ignore[union-attr]


def test_forms_without_their_csrf_token_are_refused(
    client: TestClient, officer: Account, db: Session, mark: Mark, right: Right
) -> None:
    posts = {
        f"/console/marks/{mark.id}/status": {"status": "suspended", "reason": "x"},
        f"/console/marks/{mark.id}/units": {"batch_number": "B", "quantity": "1"},
        "/console/marks": {"right_number": "4410392", "holder_uscc": HOLDER},
    }
    for action, form in posts.items():
        refused = client.post(action, data=form, follow_redirects=False)
        assert refused.status_code == 403, action
    db.expire_all()
    assert db.get(Mark, mark.id).status is MarkStatus.ACTIVE  # type: ignore[union-attr]
    assert db.scalars(select(UnitBatch)).all() == []


def test_another_office_is_refused(
    client: TestClient, db: Session, office: NodeSettings, mark: Mark
) -> None:
    add_person(db, "wang.wu", FOREIGN, name="王五")
    assert sign_in(client, "wang.wu", PASSWORD).status_code == 303
    token = csrf_of(client.get("/console"))
    for path in (
        "/console/marks",
        f"/console/marks/{mark.id}",
        f"/console/marks/{mark.id}/labels.png",
    ):
        assert client.get(path).status_code == 403, path
    form = {"csrf_token": token, "status": "suspended", "reason": "x"}
    refused = client.post(f"/console/marks/{mark.id}/status", data=form, follow_redirects=False)
    assert refused.status_code == 403
    assert "/console/marks" not in client.get("/console").text  # not in its navigation


def test_the_label_sheet_holds_the_marks_verification_url(
    client: TestClient, officer: Account, office: NodeSettings, mark: Mark
) -> None:
    png = client.get(f"/console/marks/{mark.id}/labels.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert "attachment" in png.headers["content-disposition"]
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    url = mark_url(settings=office, token=mark.token)
    assert len(decoded) == 12 and {code.text for code in decoded} == {url}

    pdf = client.get(f"/console/marks/{mark.id}/labels.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and pdf.content.count(b"/Type /Page\n") == 1
    assert client.get(f"/console/marks/{mark.id}/labels.gif").status_code == 422


def test_a_batch_of_unit_codes_and_its_labels(
    client: TestClient, officer: Account, db: Session, office: NodeSettings, mark: Mark
) -> None:
    page, action = f"/console/marks/{mark.id}", f"/console/marks/{mark.id}/units"
    asked = submit(client, page, action, {"batch_number": "B-2026-12", "quantity": "13"})
    assert asked.status_code == 303
    (batch,) = db.scalars(select(UnitBatch).where(UnitBatch.mark_id == mark.id)).all()
    assert (batch.batch_number, batch.quantity) == ("B-2026-12", 13)
    shown = client.get(asked.headers["location"]).text
    assert "单件码已签发" in shown and "B-2026-12" in shown and "1–13" in shown

    pdf = client.get(f"{page}/batches/{batch.id}/labels.pdf?part=1")
    assert pdf.status_code == 200 and pdf.content.count(b"/Type /Page\n") == 2  # 12 a page
    assert client.get(f"{page}/batches/{batch.id}/labels.pdf?part=2").status_code == 404
    assert client.get(f"{page}/batches/{batch.id}/labels.pdf?part=0").status_code == 422
    png = client.get(f"{page}/batches/{batch.id}/labels.png?part=1")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert len(decoded) == 12 and all(
        code.text.startswith(office.public_base_url) for code in decoded
    )
    assert len({code.text for code in decoded}) == 12  # each unit its own code

    too_many = submit(client, page, action, {"batch_number": "B-2", "quantity": "1001"})
    assert too_many.status_code == 422 and "单次最多申领1000个单件码" in too_many.text
    none = submit(client, page, action, {"batch_number": "B-2", "quantity": "0"})
    assert none.status_code == 422
    assert client.get(f"{page}/batches/01ARZ3NDEKTSV4RRFFQ69G5FAV/labels.pdf").status_code == 404
