"""The exchange's HTTP API on the Shanghai node: who sees which envelopes, sending,
feedback, the outbox and its dead letters, links, and bad input answered with 4xx."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from processes import free_port
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from ulid import ULID

from ipfed.exchange.keys import LinkKey, curve_keys
from ipfed.exchange.messages import Lead, LeadKind, LeadPush
from ipfed.ledger.keystore import write_certificate
from ipfed.nodes.app import create_app
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings, Peer
from ipfed.nodes.exchange.delivery import due
from ipfed.nodes.exchange.handlers import Handlers
from ipfed.nodes.exchange.inbox import receive
from ipfed.nodes.exchange.models import OutboxEnvelope
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.exchange.service import send
from ipfed.nodes.identity import NodeIdentity

SH, ZJ = "上海市知识产权局", "浙江省知识产权局"
XUHUI, SH_ENFORCEMENT = "徐汇区市场监督管理局", "上海市市场监督管理局"


def peers(*node_ids: str) -> list[Peer]:
    known = {
        "national": ("national", "100000"),
        "sh": ("regional", "310000"),
        "zj": ("regional", "330000"),
    }
    return [
        Peer(
            node_id=n,
            role=known[n][0],
            region_code=known[n][1],
            api_url="http://127.0.0.1:9",
            exchange_endpoint="tcp://127.0.0.1:9",
        )
        for n in node_ids
    ]


@pytest.fixture
def shanghai(tmp_path: Path, offices: Any) -> NodeSettings:
    settings = NodeSettings(
        node_id="sh",
        role="regional",
        region_code="310000",
        org_name=SH,
        data_dir=tmp_path / "sh",
        exchange_endpoint=f"tcp://127.0.0.1:{free_port()}",
        ledger_sync_seconds=0,
        jobs_poll_seconds=0,  # in-process: no worker threads on the test's connection
        peers=peers("national", "zj"),
    )
    key, certificate = offices.keys[SH]
    settings.identity_dir.mkdir(parents=True)
    (settings.identity_dir / "org.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    write_certificate(settings.identity_dir / "org.pem", certificate)
    (settings.identity_dir / "trust-bundle.json").write_text(offices.bundle().to_json())
    return settings


@pytest.fixture
def client(engine: Engine, sessions: sessionmaker[Session], shanghai: NodeSettings) -> TestClient:
    app = create_app(shanghai, engine)
    app.state.sessions = sessions  # requests join the test's rolled-back transaction
    return TestClient(app, raise_server_exceptions=False)  # no lifespan: nothing runs behind


@pytest.fixture
def keys(db: Session) -> dict[str, str]:
    made = {
        name: create_api_key(db=db, org=name, role=role)[1]
        for name, role in (
            (SH, Role.REGIONAL),
            (XUHUI, Role.ENFORCEMENT),
            (SH_ENFORCEMENT, Role.ENFORCEMENT),
            ("某电商平台", Role.PLATFORM),
        )
    }
    db.commit()
    return made


def lead_push(jurisdiction: str = "310104") -> LeadPush:
    return LeadPush(
        lead=Lead(
            lead_id=str(ULID()),
            kind=LeadKind.TRADEMARK,
            right_id="4410392",
            score=Decimal("0.5"),
            reasons=["回カ imitates 回力"],
            seller="上海黄浦鞋业贸易有限公司",
            jurisdiction=jurisdiction,
            evidence_sha256="ab" * 32,
        )
    )


def from_zhejiang(db: Session, offices: Any, tmp_path: Path, shanghai: NodeSettings) -> LeadPush:
    """Zhejiang pushes a lead and Shanghai takes it in (both ends in the test's database)."""
    zj = NodeSettings(
        node_id="zj",
        role="regional",
        region_code="330000",
        org_name=ZJ,
        data_dir=tmp_path / "zj",
        peers=peers("national", "sh"),
    )
    key, certificate = offices.keys[ZJ]
    zj_network = Network.of(zj, NodeIdentity(key, certificate, offices.bundle()))
    key, certificate = offices.keys[SH]
    sh_network = Network.of(shanghai, NodeIdentity(key, certificate, offices.bundle()))
    push = lead_push()
    send(db=db, network=zj_network, body=push)
    receive(
        db=db,
        network=sh_network,
        handlers=Handlers(),
        peer="zj",
        deliveries=due(db=db, peer="sh", limit=9).deliveries,
    )
    db.commit()
    return push


def call(client: TestClient, method: str, path: str, key: str | None, **kw: Any) -> tuple[int, Any]:
    headers = {"X-API-Key": key} if key else {}
    response = client.request(method, path, headers=headers, **kw)
    return response.status_code, response.json()


def test_the_link_key_is_public_and_bound_to_the_office(
    client: TestClient, offices: Any, shanghai: NodeSettings
) -> None:
    status, body = call(client, "GET", "/exchange/link-key", None)
    assert status == 200
    link_key = LinkKey.model_validate(body)
    assert link_key.verify(offices.bundle()).name == SH
    assert link_key.curve_key == curve_keys(shanghai.identity_dir).public.decode()


def test_offices_send_and_the_rules_choose_the_recipients(
    client: TestClient, keys: dict[str, str]
) -> None:
    message = {"type": "lead.push", "body": lead_push().model_dump(mode="json")}
    status, body = call(client, "POST", "/exchange/messages", keys[SH], json=message)
    assert status == 201, body
    assert [(e["type"], e["recipients"]) for e in body["envelopes"]] == [
        ("lead.push", [XUHUI]),
        ("lead.record", ["国家知识产权局"]),
    ]
    status, links = call(client, "GET", "/exchange/links", keys[SH])
    pending = {link["peer"]: link["pending"] for link in links["items"]}
    assert pending == {"sh": 1, "national": 1, "zj": 0}  # Xuhui is served here
    assert call(client, "POST", "/exchange/messages", keys[XUHUI], json=message)[0] == 403


def test_another_office_key_does_not_speak_for_this_office(
    client: TestClient, db: Session, offices: Any, tmp_path: Path, shanghai: NodeSettings
) -> None:
    """An office key of another organisation, created on this node, neither sends in
    this office's name nor works its leads' outbox or its alarms."""
    foreign = {
        role: create_api_key(db=db, org=ZJ, role=role)[1] for role in (Role.NATIONAL, Role.REGIONAL)
    }
    db.commit()
    message = {"type": "lead.push", "body": lead_push().model_dump(mode="json")}
    envelope = str(ULID())
    for key in foreign.values():
        for method, path, body in (
            ("POST", "/exchange/messages", message),
            ("GET", "/exchange/outbox", None),
            ("GET", "/exchange/links", None),
            ("POST", f"/exchange/outbox/{envelope}/retry", None),
            ("POST", f"/exchange/outbox/{envelope}/give-up", {"reason": "not mine"}),
            ("GET", "/alarms", None),
        ):
            status, answer = call(client, method, path, key, json=body)
            assert (status, answer["error"]) == (403, "not_this_office"), (method, path)
    assert db.scalar(select(func.count()).select_from(OutboxEnvelope)) == 0


@pytest.mark.parametrize(
    "message",
    [
        {"type": "lead.push", "body": {"lead": {"lead_id": "x"}}},
        {"type": "no.such.type", "body": {}},
        {"type": "lead.push"},
        {
            "type": "mark.status",
            "body": {"mark_id": "M", "status": "lost", "effective_at": "2026-01-01T00:00:00Z"},
        },
    ],
)
def test_bad_messages_get_a_4xx(
    client: TestClient, keys: dict[str, str], message: dict[str, Any]
) -> None:
    status, body = call(client, "POST", "/exchange/messages", keys[SH], json=message)
    assert status == 422 and body["error"] == "invalid_request"


def test_each_organisation_sees_only_its_own_queue(
    client: TestClient,
    keys: dict[str, str],
    db: Session,
    offices: Any,
    tmp_path: Path,
    shanghai: NodeSettings,
) -> None:
    push = from_zhejiang(db, offices, tmp_path, shanghai)
    status, page = call(client, "GET", "/exchange/inbox", keys[XUHUI], params={"type": "lead.push"})
    assert status == 200
    [item] = page["items"]
    assert item["envelope"]["body"]["lead"]["lead_id"] == push.lead.lead_id
    assert call(client, "GET", "/exchange/inbox", keys[SH_ENFORCEMENT])[1]["items"] == []
    assert len(call(client, "GET", "/exchange/inbox", keys[SH])[1]["items"]) == 1  # the office
    assert call(client, "GET", f"/exchange/inbox/{item['id']}", keys[SH_ENFORCEMENT])[0] == 404
    assert call(client, "GET", f"/exchange/inbox/{item['id']}", keys[XUHUI])[0] == 200
    assert call(client, "GET", "/exchange/outbox", keys[XUHUI])[0] == 403
    assert call(client, "GET", "/exchange/inbox", keys["某电商平台"])[1]["items"] == []
    # No key of any other organisation, an office's included, reads Xuhui's queue.
    others = {role: create_api_key(db=db, org=ZJ, role=role)[1] for role in Role}
    db.commit()
    for role, key in others.items():
        assert call(client, "GET", "/exchange/inbox", key)[1]["items"] == [], role
        assert call(client, "GET", f"/exchange/inbox/{item['id']}", key)[0] == 404, role
        thread = call(client, "GET", f"/exchange/threads/{push.lead.lead_id}", key)
        assert thread[0] == 404, role


def test_feedback_on_a_lead_goes_back(
    client: TestClient,
    keys: dict[str, str],
    db: Session,
    offices: Any,
    tmp_path: Path,
    shanghai: NodeSettings,
) -> None:
    push = from_zhejiang(db, offices, tmp_path, shanghai)
    path = f"/exchange/leads/{push.lead.lead_id}/feedback"
    status, body = call(client, "POST", path, keys[XUHUI], json={"outcome": "taken_down"})
    assert status == 201, body
    [feedback] = body["envelopes"]
    assert set(feedback["recipients"]) == {ZJ, "国家知识产权局"}
    assert (
        call(client, "POST", path, keys[SH_ENFORCEMENT], json={"outcome": "taken_down"})[1]["error"]
        == "no_lead"
    )
    assert call(client, "POST", path, keys[XUHUI], json={"outcome": "lost"})[0] == 422
    # An empty case number is refused by the API as by the message it would become.
    empty_case = {"outcome": "case_opened", "case_number": ""}
    assert call(client, "POST", path, keys[XUHUI], json=empty_case)[0] == 422
    assert call(client, "POST", path, keys["某电商平台"], json={"outcome": "taken_down"})[0] == 403
    unknown = f"/exchange/leads/{ULID()}/feedback"
    assert (
        call(client, "POST", unknown, keys[XUHUI], json={"outcome": "taken_down"})[1]["error"]
        == "no_lead"
    )
    status, thread = call(client, "GET", f"/exchange/threads/{push.lead.lead_id}", keys[SH])
    # Zhejiang's outbox shares the test's database, hence its push and record here.
    assert [e["type"] for e in thread["sent"]] == ["lead.push", "lead.record", "lead.feedback"]
    assert [r["type"] for r in thread["received"]] == ["lead.push"]


def test_dead_letters_can_be_given_up_and_retried(client: TestClient, keys: dict[str, str]) -> None:
    message = {"type": "lead.push", "body": lead_push().model_dump(mode="json")}
    envelopes = call(client, "POST", "/exchange/messages", keys[SH], json=message)[1]["envelopes"]
    for envelope in envelopes:
        give_up = f"/exchange/outbox/{envelope['id']}/give-up"
        status, body = call(client, "POST", give_up, keys[SH], json={"reason": "sent on paper"})
        assert (status, body["deliveries"]) == (200, 1)
    status, first = call(client, "GET", "/exchange/dead-letters", keys[SH], params={"limit": 1})
    assert status == 200 and first["next"] == f"{envelopes[0]['id']}/{first['items'][0]['peer']}"
    params = {"after": first["next"]}
    status, rest = call(client, "GET", "/exchange/dead-letters", keys[SH], params=params)
    assert status == 200 and rest["next"] is None
    [_, letter] = first["items"] + rest["items"]
    assert (letter["envelope_id"], letter["code"]) == (envelope["id"], "given_up")
    assert "sent on paper" in letter["reason"]
    assert (
        call(client, "POST", give_up, keys[SH], json={"reason": "again"})[1]["error"]
        == "no_pending"
    )
    retry = f"/exchange/outbox/{envelope['id']}/retry"
    assert call(client, "POST", retry, keys[SH])[1]["deliveries"] == 1
    assert call(client, "POST", retry, keys[SH])[1]["error"] == "no_dead_letter"
    [item] = call(client, "GET", "/exchange/outbox", keys[SH], params={"type": "lead.record"})[1][
        "items"
    ]
    assert [d["state"] for d in item["deliveries"]] == ["pending"]
    assert call(client, "GET", "/exchange/outbox", keys[SH], params={"state": "nope"})[0] == 422


def test_a_node_without_an_identity_has_no_exchange(
    engine: Engine, sessions: sessionmaker[Session], settings: NodeSettings, keys: dict[str, str]
) -> None:
    app = create_app(settings, engine)
    app.state.sessions = sessions
    client = TestClient(app, raise_server_exceptions=False)
    assert call(client, "GET", "/exchange/link-key", None) == (
        404,
        {"error": "no_exchange", "detail": "this node has no federation identity, so no exchange"},
    )
