"""The pages of the organisations that act on leads, on the Shanghai node: each reads
only the leads routed to it (newest first, with their state), opens one with its
evidence and reports an outcome that leaves through the exchange; holders and centres
launch detection for their rights and follow their own tasks. Bad input gets a 4xx.

Leads arrive as they do in production: Zhejiang's node routes and signs its pushes and
Shanghai's inbox takes them in, or Shanghai's office confirms a lead of its own and its
push round routes it. The exchange is not started (no peer runs here): what it would
deliver waits in the outbox, where the tests read it."""

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from console import Clock, app_client, csrf_of, sign_in, submit
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from ulid import ULID

from ipfed.exchange.envelope import Envelope
from ipfed.exchange.messages import Lead, LeadFeedback, LeadKind, LeadPush, MessageType
from ipfed.ledger.identity import Role
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.nodes.accounts.service import add_account
from ipfed.nodes.config import NodeSettings, Peer
from ipfed.nodes.detection.models import DetectionTask, TaskStatus
from ipfed.nodes.exchange.delivery import due
from ipfed.nodes.exchange.handlers import Handlers
from ipfed.nodes.exchange.inbox import receive
from ipfed.nodes.exchange.models import OutboxEnvelope
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.exchange.runner import Exchange
from ipfed.nodes.exchange.service import send
from ipfed.nodes.identity import NodeIdentity, node_identity

PASSWORD = "correct horse battery"
SH, ZJ = "上海市知识产权局", "浙江省知识产权局"
SH_ENFORCEMENT, XUHUI = "上海市市场监督管理局", "徐汇区市场监督管理局"
HOLDER, CENTRE = "上海回力鞋业有限公司", "中国（上海）知识产权保护中心"
OVERSEAS = "国家海外知识产权纠纷应对指导中心上海分中心"
PEOPLE = {
    "enforcer": (SH_ENFORCEMENT, Role.ENFORCEMENT),
    "xuhui": (XUHUI, Role.ENFORCEMENT),
    "holder": (HOLDER, Role.RIGHTS_HOLDER),
    "centre": (CENTRE, Role.ASSISTANCE_CENTRE),
    "overseas": (OVERSEAS, Role.OVERSEAS_CENTRE),
    "platform": ("某电商平台", Role.PLATFORM),
}


def peer(node_id: str, role: str, region: str) -> Peer:
    """A peer that never answers: what is sent to it waits in the outbox."""
    return Peer(
        node_id=node_id,
        role=role,
        region_code=region,
        api_url="http://127.0.0.1:9",
        exchange_endpoint="tcp://127.0.0.1:9",
    )


def identity_in(settings: NodeSettings, offices: Any, name: str) -> NodeSettings:
    key, certificate = offices.keys[name]
    settings.identity_dir.mkdir(parents=True, exist_ok=True)
    write_private_key(settings.identity_dir / "org.key", key)
    write_certificate(settings.identity_dir / "org.pem", certificate)
    (settings.identity_dir / "trust-bundle.json").write_text(offices.bundle().to_json())
    return settings


@pytest.fixture
def clock() -> Clock:
    """The node's clock at the real time: envelopes are signed and checked at it."""
    return Clock(now=datetime.now(UTC))


@pytest.fixture
def shanghai(settings: NodeSettings, offices: Any) -> NodeSettings:
    with_peers = settings.model_copy(
        update={"peers": [peer("national", "national", "100000"), peer("zj", "regional", "330000")]}
    )
    return identity_in(with_peers, offices, SH)


@pytest.fixture
def client(
    engine: Engine,
    sessions: sessionmaker[Session],
    shanghai: NodeSettings,
    clock: Clock,
    sample_data: None,
) -> Iterator[TestClient]:
    """The node's app with its exchange, not started (the console sends through it)."""
    for client in app_client(shanghai, engine, sessions, clock):
        endpoint = shanghai.model_copy(update={"exchange_endpoint": "tcp://127.0.0.1:9"})
        client.app.state.exchange = Exchange(endpoint, sessions, Handlers())  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def people(db: Session) -> None:
    for username, (org, role) in PEOPLE.items():
        add_account(db=db, username=username, name=username, org=org, role=role, password=PASSWORD)
    db.commit()


def as_person(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    assert sign_in(client, username, PASSWORD).status_code == 303
    return client


def pushed_from_zhejiang(
    db: Session, offices: Any, shanghai: NodeSettings, clock: Clock, *leads: Lead
) -> None:
    """Zhejiang's node routes and signs a push per lead; Shanghai's inbox takes them in."""
    zj = NodeSettings(
        node_id="zj",
        role="regional",
        region_code="330000",
        org_name=ZJ,
        data_dir=shanghai.data_dir / "zj",
        peers=[peer("national", "national", "100000"), peer("sh", "regional", "310000")],
    )
    key, certificate = offices.keys[ZJ]
    zj_network = Network.of(zj, NodeIdentity(key, certificate, offices.bundle()))
    for lead in leads:
        send(db=db, network=zj_network, body=LeadPush(lead=lead, note="请核查"), now=clock.now)
    receive(
        db=db,
        network=Network.of(shanghai, node_identity(shanghai)),
        handlers=Handlers(),
        peer="zj",
        deliveries=due(db=db, peer="sh", limit=100).deliveries,
        now=clock.now,
    )
    db.commit()


def lead(
    jurisdiction: str,
    kind: LeadKind = LeadKind.TRADEMARK,
    title: str = "回カ帆布鞋",
    foreign: bool = False,
) -> Lead:
    return Lead(
        lead_id=str(ULID()),
        kind=kind,
        right_id="4410392",
        right_holder=HOLDER,
        score=Decimal("0.91"),
        reasons=["回カ imitates 回力"],
        seller="上海黄浦鞋业贸易有限公司",
        title=title,
        jurisdiction=jurisdiction,
        evidence_sha256="ab" * 32,
        foreign_related=foreign,
    )


def feedback_sent(db: Session) -> list[LeadFeedback]:
    rows = db.scalars(
        select(OutboxEnvelope).where(OutboxEnvelope.type == MessageType.LEAD_FEEDBACK)
    )
    return [Envelope.from_bytes(row.data).message() for row in rows]  # type: ignore[misc]


# --- the leads routed to an organisation ---------------------------------------


def test_each_organisation_reads_only_the_leads_routed_to_it(
    client: TestClient,
    db: Session,
    offices: Any,
    shanghai: NodeSettings,
    clock: Clock,
    people: None,
) -> None:
    city, xuhui, patent, abroad = (
        lead("310000", title="城区的回カ"),
        lead("310104", title="徐汇的回カ"),
        lead("310000", LeadKind.DESIGN, title="仿冒外观的鞋"),
        lead("310000", title="出口的回カ", foreign=True),
    )
    pushed_from_zhejiang(db, offices, shanghai, clock, city, xuhui, patent, abroad)

    def seen(username: str) -> list[str]:
        page = as_person(client, username).get("/console/received")
        assert page.status_code == 200, page.text
        assert "data-untranslated" not in page.text
        return [
            routed.lead_id
            for routed in (city, xuhui, patent, abroad)
            if f"/console/received/{routed.lead_id}" in page.text
        ]

    assert seen("enforcer") == [city.lead_id, abroad.lead_id]
    assert seen("xuhui") == [xuhui.lead_id]
    assert seen("holder") == [patent.lead_id]
    assert seen("centre") == [patent.lead_id]
    assert seen("overseas") == [abroad.lead_id]  # as a cross-border alert
    # Newest first, with their state.
    text = as_person(client, "enforcer").get("/console/received").text
    assert text.index("出口的回カ") < text.index("城区的回カ")
    assert "待反馈" in text and "线索推送" in text
    # Another organisation's lead is not found; a platform has no such page.
    assert client.get(f"/console/received/{xuhui.lead_id}").status_code == 404
    platform = as_person(client, "platform")
    assert platform.get("/console/received").status_code == 403


def test_an_empty_list_says_so(client: TestClient, people: None) -> None:
    for username in ("overseas", "holder"):
        page = as_person(client, username).get("/console/received")
        assert page.status_code == 200
        assert 'id="no-leads"' in page.text and "目前没有推送给本单位的线索" in page.text


def test_the_list_is_paged(
    client: TestClient,
    db: Session,
    offices: Any,
    shanghai: NodeSettings,
    clock: Clock,
    people: None,
) -> None:
    many = [lead("310104", title=f"第{n}件") for n in range(27)]
    pushed_from_zhejiang(db, offices, shanghai, clock, *many)
    first = as_person(client, "xuhui").get("/console/received")
    assert first.text.count('href="/console/received/') == 25
    assert "第26件" in first.text and "第0件<" not in first.text
    cursor = first.text.split('href="/console/received?before=')[1].split('"')[0]
    second = client.get(f"/console/received?before={cursor}")
    assert second.text.count('href="/console/received/') == 2 and "第0件" in second.text
    assert client.get("/console/received?before=abc").status_code == 422


def test_a_lead_from_another_node_and_its_outcome(
    client: TestClient,
    db: Session,
    offices: Any,
    shanghai: NodeSettings,
    clock: Clock,
    people: None,
) -> None:
    routed = lead("310104")
    pushed_from_zhejiang(db, offices, shanghai, clock, routed)
    path = f"/console/received/{routed.lead_id}"
    page = as_person(client, "xuhui").get(path)
    assert page.status_code == 200 and "data-untranslated" not in page.text
    for shown in ("回カ帆布鞋", "上海黄浦鞋业贸易有限公司", "回カ imitates 回力", "请核查", ZJ):
        assert shown in page.text
    assert "回力 WARRIOR" in page.text  # the right, from this node's register
    assert "证据包由发现线索的节点保存" in page.text  # the evidence stays at Zhejiang
    assert 'id="record-state">推送未附账本回执' in page.text  # pushed without a receipt

    form = {"outcome": "case_opened", "case_number": "沪徐市监案〔2026〕18号", "detail": "已立案"}
    answer = submit(client, path, f"{path}/outcome", form)
    assert answer.status_code == 303 and answer.headers["location"] == f"{path}?done=true"
    [sent] = feedback_sent(db)
    assert (sent.lead_id, sent.found_by, sent.handled_by) == (routed.lead_id, ZJ, XUHUI)
    assert sent.case_number == "沪徐市监案〔2026〕18号" and sent.detail == "已立案"
    page = client.get(f"{path}?done=true")
    assert "处理结果已记录" in page.text and 'id="lead-state">已立案' in page.text
    listed = client.get("/console/received").text
    assert "已立案" in listed and "待反馈" not in listed
    # Another organisation neither reads the lead nor reports on it.
    other = as_person(client, "enforcer")
    assert other.get(path).status_code == 404
    csrf = csrf_of(other.get("/console/received"))
    refused = other.post(f"{path}/outcome", data={"csrf_token": csrf, "outcome": "taken_down"})
    assert refused.status_code == 404 and len(feedback_sent(db)) == 1


def test_a_lead_this_node_found_shows_its_evidence_verified(
    client: TestClient, db: Session, shanghai: NodeSettings, offices: Any, people: None
) -> None:
    """The office confirms a lead of its own and pushes it (its seller traces to Xuhui);
    its evidence is here."""
    from showcase import route_a_lead, screen_sample

    screen_sample(db, shanghai)
    lead_id = route_a_lead(db, shanghai)
    db.commit()
    page = as_person(client, "xuhui").get(f"/console/received/{lead_id}")
    assert page.status_code == 200 and "data-untranslated" not in page.text
    assert 'id="evidence-state">证据已核验' in page.text
    assert 'id="record-state">线索及证据指纹已在发现方账本上存证' in page.text
    assert "采集时的商品页面" in page.text


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"outcome": "lost"}, 422),
        ({}, 422),
        ({"outcome": "taken_down", "detail": "长" * 4001}, 422),
        ({"outcome": "taken_down", "case_number": "号" * 301}, 422),
    ],
)
def test_bad_outcomes_get_a_4xx(
    client: TestClient,
    db: Session,
    offices: Any,
    shanghai: NodeSettings,
    clock: Clock,
    people: None,
    form: dict[str, str],
    status: int,
) -> None:
    routed = lead("310104")
    pushed_from_zhejiang(db, offices, shanghai, clock, routed)
    path = f"/console/received/{routed.lead_id}"
    answer = submit(as_person(client, "xuhui"), path, f"{path}/outcome", form)
    assert answer.status_code == status
    assert feedback_sent(db) == []


def test_bad_lead_ids_and_unknown_leads(client: TestClient, people: None) -> None:
    as_person(client, "enforcer")
    assert client.get("/console/received/not-a-lead").status_code == 422
    assert client.get(f"/console/received/{ULID()}").status_code == 404
    assert client.get("/console/received?before=0").status_code == 422


def test_an_overseas_centre_reads_but_reports_no_outcome(
    client: TestClient,
    db: Session,
    offices: Any,
    shanghai: NodeSettings,
    clock: Clock,
    people: None,
) -> None:
    abroad = lead("310000", foreign=True)
    pushed_from_zhejiang(db, offices, shanghai, clock, abroad)
    path = f"/console/received/{abroad.lead_id}"
    page = as_person(client, "overseas").get(path)
    assert page.status_code == 200 and "涉外预警" in page.text
    assert "/outcome" not in page.text and "此类通报无需反馈处理结果" in page.text
    csrf = csrf_of(client.get("/console/received"))
    answer = client.post(f"{path}/outcome", data={"csrf_token": csrf, "outcome": "taken_down"})
    assert answer.status_code == 403


def test_the_navigation_shows_each_its_pages(client: TestClient, people: None) -> None:
    links = {
        "enforcer": ("/console/received",),
        "holder": ("/console/received", "/console/detection"),
        "centre": ("/console/received", "/console/detection"),
        "overseas": ("/console/received",),
    }
    for username, paths in links.items():
        home = as_person(client, username).get("/console").text
        for path in ("/console/received", "/console/detection"):
            assert (f'href="{path}"' in home) == (path in paths), (username, path)


# --- detection launched and followed -------------------------------------------


def launch(client: TestClient, form: dict[str, Any]) -> Any:
    csrf = csrf_of(client.get("/console/detection"))
    return client.post(
        "/console/detection", data={"csrf_token": csrf, **form}, follow_redirects=False
    )


def test_a_holder_launches_detection_for_its_rights_and_follows_it(
    client: TestClient, db: Session, people: None
) -> None:
    page = as_person(client, "holder").get("/console/detection")
    assert page.status_code == 200 and "data-untranslated" not in page.text
    assert 'value="4410392"' in page.text  # 回力 WARRIOR, its own
    assert 'value="1587423"' not in page.text  # 大白兔, another holder's
    assert 'id="no-tasks"' in page.text
    answer = launch(client, {"rights": ["4410392", "201910778812.1"], "region": "310000"})
    assert answer.status_code == 303, answer.text
    task_path = answer.headers["location"]
    task = db.get(DetectionTask, task_path.rsplit("/", 1)[1])
    assert task is not None and task.requested_by == HOLDER
    assert (
        task.scope["rights"] == ["4410392", "201910778812.1"] and task.scope["region"] == "310000"
    )
    shown = client.get(task_path)
    assert shown.status_code == 200 and "data-untranslated" not in shown.text
    assert 'id="task-state">排队中' in shown.text
    listed = client.get("/console/detection").text
    assert task_path in listed
    # Progress, as the job runner records it.
    task.status, task.total, task.screened, task.leads = TaskStatus.DONE, 5, 5, 2
    db.commit()
    shown = client.get(task_path).text
    assert 'id="leads-found">2<' in shown and "5 / 5" in shown
    # Nobody else follows it, a centre included; the office does.
    assert as_person(client, "centre").get(task_path).status_code == 404
    assert task_path not in client.get("/console/detection").text


def test_a_centre_launches_for_the_rights_it_assists(
    client: TestClient, db: Session, people: None
) -> None:
    page = as_person(client, "centre").get("/console/detection")
    assert 'value="1587423"' in page.text and 'value="4410392"' in page.text
    answer = launch(client, {"rights": ["1587423"]})
    assert answer.status_code == 303
    [task] = db.scalars(select(DetectionTask)).all()
    assert task.requested_by == CENTRE and task.origin == "rights_holder"


@pytest.mark.parametrize(
    ("username", "form", "status", "code"),
    [
        ("holder", {"rights": ["1587423"]}, 403, "not_your_right"),  # another holder's
        ("holder", {}, 422, "rights_required"),
        ("holder", {"rights": ["4410392"], "region": "31"}, 422, "bad_scope"),
        ("centre", {"rights": ["9999999"]}, 403, "not_your_right"),
        ("enforcer", {"nice_classes": "二十五"}, 422, "bad_nice_classes"),
        ("enforcer", {"nice_classes": "99"}, 422, "bad_scope"),
        ("enforcer", {}, 422, "scope_required"),
    ],
)
def test_bad_launches_get_a_4xx(
    client: TestClient,
    db: Session,
    people: None,
    username: str,
    form: dict[str, Any],
    status: int,
    code: str,
) -> None:
    answer = launch(as_person(client, username), form)
    assert answer.status_code == status, answer.text
    assert 'role="alert"' in answer.text and "data-untranslated" not in answer.text
    assert db.scalars(select(DetectionTask)).all() == []


def test_tasks_are_their_requesters(client: TestClient, db: Session, people: None) -> None:
    as_person(client, "holder")
    task_path = launch(client, {"rights": ["4410392"]}).headers["location"]
    for username in ("centre", "enforcer"):
        other = as_person(client, username)
        assert other.get(task_path).status_code == 404
        assert task_path not in other.get("/console/detection").text
    assert as_person(client, "overseas").get("/console/detection").status_code == 403
    assert as_person(client, "platform").get(task_path).status_code == 403
    assert client.get("/console/detection/nonsense").status_code in (403, 422)
    as_person(client, "holder")
    assert client.get(f"/console/detection/{ULID()}").status_code == 404
    assert client.get("/console/detection?before=x").status_code == 422
