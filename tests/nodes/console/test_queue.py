"""The office's work queue in the console: leads waiting for review, filtered and paged,
claimed and assigned to a person of the office, decided one at a time on the lead page
or a selection at once, always with a reason and the person who decided recorded."""

import html
import re
from collections.abc import Iterator

import pytest
from console import PASSWORD, Clock, add_person, app_client, csrf_of, sign_in, submit
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ipfed.detection.screening import Screener
from ipfed.ledger.identity import Role
from ipfed.nodes.accounts.models import Account
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.detection import service as detection
from ipfed.nodes.detection.models import Lead, LeadStatus, Review
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.queue.models import Claim

FOREIGN = "浙江省知识产权局"
ITEMS = re.compile(r'name="items" value="detector_lead:([0-9A-Z]{26})"')


@pytest.fixture
def client(
    engine: Engine,
    sessions: sessionmaker[Session],
    office: NodeSettings,
    clock: Clock,
) -> Iterator[TestClient]:
    """The Shanghai node with its identity, so confirmed leads go on its ledger."""
    yield from app_client(office, engine, sessions, clock)


@pytest.fixture
def leads(client: TestClient, db: Session, settings: NodeSettings, sample_data: None) -> list[Lead]:
    """The sample listings screened: their leads, anchored on the node's ledger."""
    ledger = node_ledger(db=db, settings=settings)
    screener = Screener(detection.load_register(db=db), today=client.app.state.clock().date())  # type: ignore[attr-defined]
    found = []
    for listing in db.scalars(select(Listing).order_by(Listing.external_id)):
        found += detection.screen_listing(db=db, screener=screener, listing=listing, ledger=ledger)
    db.commit()
    assert len(found) >= 3
    return found


@pytest.fixture
def reviewer(client: TestClient, db: Session, settings: NodeSettings) -> Account:
    account = add_person(db, "chen.jing", settings.org_name, name="陈静")
    assert sign_in(client, "chen.jing", PASSWORD).status_code == 303
    return account


def shown_ids(page: str) -> list[str]:
    return ITEMS.findall(page)


def test_the_queue_shows_open_leads_by_priority_in_words(
    client: TestClient, reviewer: Account, leads: list[Lead]
) -> None:
    page = client.get("/console/queue")
    assert page.status_code == 200
    assert "data-untranslated" not in page.text
    expected = sorted(leads, key=lambda lead: (-lead.priority, lead.id))
    assert shown_ids(page.text) == [lead.id for lead in expected]
    assert "待办队列" in page.text and "无人认领" in page.text and "待审核" in page.text
    english = client.get("/console/queue?lang=en")
    assert "Work queue" in english.text and "Unclaimed" in english.text
    assert "data-untranslated" not in english.text


def test_filters_by_detector_region_task_priority_and_age(
    client: TestClient, reviewer: Account, leads: list[Lead], clock: Clock, db: Session
) -> None:
    kinds = {lead.kind for lead in leads}
    for kind in kinds:
        page = client.get(f"/console/queue?detector={kind.value}")
        assert set(shown_ids(page.text)) == {lead.id for lead in leads if lead.kind is kind}
    region = next(lead.region_code for lead in leads if lead.region_code)
    page = client.get(f"/console/queue?region={region[:2]}")
    assert set(shown_ids(page.text)) == {
        lead.id for lead in leads if (lead.region_code or "").startswith(region[:2])
    }
    top = max(lead.priority for lead in leads)
    page = client.get(f"/console/queue?min_priority={top}")
    assert set(shown_ids(page.text)) == {lead.id for lead in leads if lead.priority >= top}
    assert shown_ids(client.get("/console/queue?task=01ARZ3NDEKTSV4RRFFQ69G5FAV").text) == []

    # Age: nothing is a day old until the clock moves on.
    assert shown_ids(client.get("/console/queue?older_than=1").text) == []
    clock.advance(days=2)
    sign_in(client, "chen.jing", PASSWORD)  # the session's idle timeout has passed
    assert len(shown_ids(client.get("/console/queue?older_than=1").text)) == len(leads)

    for bad in ("detector=nonsense", "older_than=-1", "min_priority=high", "kind=x", "after=x"):
        answer = client.get(f"/console/queue?{bad}")
        assert 400 <= answer.status_code < 500, bad


def test_the_queue_pages(
    client: TestClient, reviewer: Account, leads: list[Lead], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipfed.nodes.console import queue

    monkeypatch.setattr(queue, "PAGE_SIZE", 2)  # a page smaller than the sample's leads
    seen: list[str] = []
    url = "/console/queue"
    while url:
        page = client.get(url)
        seen += shown_ids(page.text)
        found = re.search(r'href="(/console/queue\?[^"]*after=[^"]+)"', page.text)
        url = found.group(1).replace("&amp;", "&") if found else ""
    expected = sorted(leads, key=lambda lead: (-lead.priority, lead.id))
    assert seen == [lead.id for lead in expected]


def test_claim_then_assign_to_a_colleague(
    client: TestClient, reviewer: Account, leads: list[Lead], db: Session, settings: NodeSettings
) -> None:
    colleague = add_person(db, "zhou.min", settings.org_name, name="周敏")
    outsider = add_person(db, "wang.wu", FOREIGN, name="王五")
    lead = leads[0]
    item = f"detector_lead:{lead.id}"

    claimed = submit(client, "/console/queue", "/console/queue/claim", {"item": item})
    assert claimed.status_code == 303 and "done=claimed" in claimed.headers["location"]
    held = db.get(Claim, ("detector_lead", lead.id))
    assert held is not None and held.assignee_id == reviewer.id
    mine = client.get(f"/console/queue?assignee={reviewer.id}")
    assert shown_ids(mine.text) == [lead.id]
    unclaimed = client.get("/console/queue?assignee=unclaimed")
    assert lead.id not in shown_ids(unclaimed.text)

    form = {"item": item, "assignee": colleague.id}
    assigned = submit(client, "/console/queue", "/console/queue/assign", form)
    assert assigned.status_code == 303
    db.expire_all()
    held = db.get(Claim, ("detector_lead", lead.id))
    assert held is not None and (held.assignee_id, held.assigned_by_id) == (
        colleague.id,
        reviewer.id,
    )
    assert "周敏" in client.get(f"/console/queue?assignee={colleague.id}").text

    # The colleague holds it now: the first reviewer cannot take it back by claiming.
    taken = submit(client, "/console/queue", "/console/queue/claim", {"item": item})
    assert taken.status_code == 409 and "该事项已由他人认领" in taken.text
    # Nobody outside the office is given an item, nor a lead that is not in the queue.
    form = {"item": item, "assignee": outsider.id}
    assert submit(client, "/console/queue", "/console/queue/assign", form).status_code == 403
    form = {"item": "detector_lead:01ARZ3NDEKTSV4RRFFQ69G5FAV"}
    assert submit(client, "/console/queue", "/console/queue/claim", form).status_code == 404
    assert (
        submit(client, "/console/queue", "/console/queue/claim", {"item": "x:y"}).status_code == 422
    )


def test_the_lead_page_shows_what_a_reviewer_decides_on(
    client: TestClient, reviewer: Account, leads: list[Lead]
) -> None:
    lead = next(lead for lead in leads if lead.right_id)
    page = client.get(f"/console/leads/{lead.id}")
    assert page.status_code == 200 and "data-untranslated" not in page.text
    text = page.text
    assert lead.listing.title.split()[0][:1] in text and lead.listing.seller in text
    assert "证据已核验" in text  # the evidence bundle verifies against the trust bundle
    assert lead.evidence.sha256[:16] in text
    assert "来源追溯" in text and "管辖地" in text
    assert lead.reason_codes and "卖家既不是权利人，也不是被许可人" in text
    assert "注册的权利" in text and "商品页面所示" in text
    assert csrf_of(page)


def reasons_shown(page: str) -> list[str]:
    listed = page.split('<ul class="reasons">')[1].split("</ul>")[0]
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", listed)]


def test_the_lead_page_shows_the_detectors_reasons_in_chinese_or_english(
    client: TestClient, reviewer: Account, leads: list[Lead]
) -> None:
    lead = next(lead for lead in leads if lead.kind.value == "trademark" and lead.region_code)
    chinese = reasons_shown(client.get(f"/console/leads/{lead.id}").text)
    assert len(chinese) == len(lead.reasons) and chinese != lead.reasons
    assert any("近似" in reason for reason in chinese)
    assert any(reason.startswith(f"管辖地 {lead.region_code}：") for reason in chinese)
    assert not any(re.search(r"\b(resembles|seller|jurisdiction)\b", r) for r in chinese)
    # In English, the very sentences the lead carries in the API and the exchange.
    english = reasons_shown(client.get(f"/console/leads/{lead.id}?lang=en").text)
    assert english == lead.reasons


def test_a_lead_stored_before_reasons_had_codes_shows_its_sentences(
    client: TestClient, reviewer: Account, leads: list[Lead], db: Session
) -> None:
    lead = leads[0]
    lead.reason_codes = None  # as the leads found before the change are stored
    lead.reasons = ["「大白兎」 resembles mark 1587423 「大白兔」 of 上海冠生园食品有限公司"]
    db.commit()
    page = client.get(f"/console/leads/{lead.id}")
    assert page.status_code == 200
    assert reasons_shown(page.text) == lead.reasons


def test_look_alike_characters_are_marked(
    client: TestClient, reviewer: Account, leads: list[Lead]
) -> None:
    marked = []
    for lead in leads:
        page = client.get(f"/console/leads/{lead.id}").text
        shown = page.split('id="shown-name">')[1].split("</p>")[0]
        marked += re.findall(r"<mark[^>]*>([^<]+)</mark>", shown)
    assert marked, "no sample lead shows a look-alike character"
    for text in marked:
        assert text.strip()


def test_confirming_on_the_lead_page_records_the_person_and_queues_the_push(
    client: TestClient, reviewer: Account, leads: list[Lead], db: Session, settings: NodeSettings
) -> None:
    lead = leads[0]
    path = f"/console/leads/{lead.id}"
    empty = submit(client, path, f"{path}/review", {"decision": "confirm", "reason": " "})
    assert empty.status_code == 422 and "请填写理由" in empty.text

    done = submit(
        client, path, f"{path}/review", {"decision": "confirm", "reason": "与注册商标近似"}
    )
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "已确认" in page.text and "陈静" in page.text and 'name="decision"' not in page.text

    db.expire_all()
    stored = db.get(Lead, lead.id)
    assert stored is not None and stored.status is LeadStatus.CONFIRMED
    assert stored.ledger_position is not None
    review = db.scalars(select(Review).where(Review.lead_id == lead.id)).one()
    assert (review.person_id, review.reason, review.reviewer) == (
        reviewer.id, "与注册商标近似", settings.org_name,
    )  # fmt: skip
    assert lead.id not in shown_ids(client.get("/console/queue").text)

    again = submit(client, path, f"{path}/review", {"decision": "reject", "reason": "再看"})
    assert again.status_code == 409 and "该线索已处理" in again.text


def test_asking_for_more_keeps_the_lead_in_the_queue(
    client: TestClient, reviewer: Account, leads: list[Lead], db: Session
) -> None:
    lead = leads[1]
    path = f"/console/leads/{lead.id}"
    form = {"decision": "request_info", "reason": "请平台提供卖家资质"}
    assert submit(client, path, f"{path}/review", form).status_code == 303
    page = client.get("/console/queue")
    assert lead.id in shown_ids(page.text) and "待补充信息" in page.text


def test_a_selection_is_rejected_at_once_with_one_reason(
    client: TestClient, reviewer: Account, leads: list[Lead], db: Session
) -> None:
    chosen = [f"detector_lead:{lead.id}" for lead in leads[:2]]
    page = client.get("/console/queue")
    form = {
        "csrf_token": csrf_of(page),
        "items": chosen,
        "decision": "reject",
        "reason": "授权经销",
    }
    answer = client.post("/console/queue/decide", data=form, follow_redirects=False)
    assert answer.status_code == 303 and "done=reject" in answer.headers["location"]
    db.expire_all()
    for lead in leads[:2]:
        assert db.get(Lead, lead.id).status is LeadStatus.REJECTED  # type: ignore[union-attr]
    reviews = db.scalars(select(Review).where(Review.lead_id.in_([lead.id for lead in leads[:2]])))
    assert {(r.reason, r.person_id) for r in reviews} == {("授权经销", reviewer.id)}
    # The rest stay; an empty selection or a selection without a reason changes nothing.
    for form in (
        {"decision": "confirm", "reason": "x"},
        {"items": [f"detector_lead:{leads[2].id}"], "decision": "confirm", "reason": ""},
        {"items": [f"detector_lead:{leads[2].id}"], "decision": "request_info", "reason": "x"},
    ):
        refused = client.post("/console/queue/decide", data={"csrf_token": csrf_of(page), **form})
        assert refused.status_code == 422, form
    db.expire_all()
    assert db.get(Lead, leads[2].id).status is LeadStatus.SUSPECTED  # type: ignore[union-attr]


def test_a_selection_is_decided_whole_or_not_at_all(
    client: TestClient, reviewer: Account, leads: list[Lead], db: Session
) -> None:
    path = f"/console/leads/{leads[0].id}"
    submit(client, path, f"{path}/review", {"decision": "reject", "reason": "授权经销"})
    page = client.get("/console/queue")
    chosen = [f"detector_lead:{leads[1].id}", f"detector_lead:{leads[0].id}"]  # one decided
    form = {"csrf_token": csrf_of(page), "items": chosen, "decision": "confirm", "reason": "近似"}
    assert client.post("/console/queue/decide", data=form).status_code == 409
    db.expire_all()
    assert db.get(Lead, leads[1].id).status is LeadStatus.SUSPECTED  # type: ignore[union-attr]


def test_confirmed_in_the_console_is_pushed_as_before(
    client: TestClient, reviewer: Account, leads: list[Lead], db: Session, settings: NodeSettings
) -> None:
    page = client.get("/console/queue")
    form = {
        "csrf_token": csrf_of(page),
        "items": [f"detector_lead:{leads[0].id}"],
        "decision": "confirm",
        "reason": "近似",
    }
    assert (
        client.post("/console/queue/decide", data=form, follow_redirects=False).status_code == 303
    )
    db.expire_all()
    confirmed = detection.confirmed_lead(db=db, lead_id=leads[0].id)
    assert confirmed.ledger_position is not None and confirmed.pushed_at is None
    assert leads[0].id in [c.lead_id for c in detection.confirmed_leads(db=db)]
    # The push round (tests/nodes/detection/test_push.py) takes exactly these leads.


def test_forms_without_the_csrf_token_are_refused(
    client: TestClient, reviewer: Account, leads: list[Lead], db: Session
) -> None:
    lead = leads[0]
    item = f"detector_lead:{lead.id}"
    for action, form in (
        ("/console/queue/claim", {"item": item}),
        ("/console/queue/decide", {"items": item, "decision": "confirm", "reason": "x"}),
        (f"/console/leads/{lead.id}/review", {"decision": "confirm", "reason": "x"}),
    ):
        assert client.post(action, data=form).status_code == 403, action
    db.expire_all()
    assert db.get(Lead, lead.id).status is LeadStatus.SUSPECTED  # type: ignore[union-attr]
    assert db.get(Claim, ("detector_lead", lead.id)) is None


def test_a_foreign_office_and_other_roles_are_refused(
    client: TestClient, leads: list[Lead], db: Session, settings: NodeSettings
) -> None:
    add_person(db, "wang.wu", FOREIGN, name="王五")
    add_person(db, "li.si", settings.org_name, Role.ENFORCEMENT, name="李四")
    lead = leads[0]
    for username in ("wang.wu", "li.si"):
        client.cookies.clear()
        assert sign_in(client, username, PASSWORD).status_code == 303
        assert client.get("/console/queue").status_code == 403
        assert client.get(f"/console/leads/{lead.id}").status_code == 403
        home = client.get("/console")
        assert 'href="/console/queue"' not in home.text
        token = csrf_of(home)
        form = {"csrf_token": token, "decision": "confirm", "reason": "x"}
        assert client.post(f"/console/leads/{lead.id}/review", data=form).status_code == 403
    db.expire_all()
    assert db.get(Lead, lead.id).status is LeadStatus.SUSPECTED  # type: ignore[union-attr]
