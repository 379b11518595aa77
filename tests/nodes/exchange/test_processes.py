"""Node processes over real ZeroMQ sockets with CURVE: a lead found in Zhejiang
reaches Shanghai's enforcement queue and the national record, its feedback comes
back; forged, replayed, tampered, unsigned and malformed envelopes are refused."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from ulid import ULID

from ipfed.exchange.envelope import Envelope, seal
from ipfed.exchange.messages import Lead, LeadKind, LeadPush, Shop
from ipfed.ledger.identity import Organisation, Role
from ipfed.nodes.database.core import transaction
from ipfed.nodes.exchange.models import (
    DeliveryState,
    InboxEnvelope,
    InboxState,
    OutboxDelivery,
    OutboxEnvelope,
)
from ipfed.nodes.exchange.service import Outgoing, next_seq, queue
from ipfed.nodes.imports.kinds import import_kind
from ipfed.nodes.imports.service import import_file

pytestmark = pytest.mark.integration

SAMPLE = Path(__file__).resolve().parents[3] / "nodes" / "demo" / "sample"
SAMPLE_KINDS = ("trademarks", "patents", "licences", "adjudications", "participants", "listings")
SH_ENFORCEMENT = "上海市市场监督管理局"
ZJ_ENFORCEMENT = "浙江省市场监督管理局"


def lead_body() -> dict[str, Any]:
    lead = Lead(
        lead_id=str(ULID()),
        kind=LeadKind.TRADEMARK,
        right_id="4410392",
        right_holder="上海回力鞋业有限公司",
        score=Decimal("0.93"),
        reasons=["回カ: カ (katakana ka) stands for 力", "same Nice class 25"],
        seller="上海黄浦鞋业贸易有限公司",
        shop=Shop(platform="jd", shop_id="huilishoes"),
        title="回カ 帆布鞋 经典款",
        jurisdiction="310104",
        evidence_sha256="9f" * 32,
    )
    return LeadPush(lead=lead).model_dump(mode="json")


def test_a_lead_reaches_enforcement_and_the_record_and_its_feedback_comes_back(
    federation_of: Any,
) -> None:
    fed = federation_of(
        "national",
        "sh",
        "zj",
        api_keys=(
            ("zj", "浙江省知识产权局", Role.REGIONAL),
            ("national", "国家知识产权局", Role.NATIONAL),
            ("sh", SH_ENFORCEMENT, Role.ENFORCEMENT),
            ("sh", ZJ_ENFORCEMENT, Role.ENFORCEMENT),
        ),
    )
    fed.start()
    urls = {node_id: node.settings.base_url for node_id, node in fed.nodes.items()}

    def api(node: str, org: str) -> httpx.Client:
        headers = {"X-API-Key": fed.api_keys[node, org]}
        return httpx.Client(base_url=urls[node], headers=headers, timeout=10)

    zj, national = api("zj", "浙江省知识产权局"), api("national", "国家知识产权局")
    enforcement, stranger = api("sh", SH_ENFORCEMENT), api("sh", ZJ_ENFORCEMENT)
    body = lead_body()
    lead_id = body["lead"]["lead_id"]
    sent = zj.post("/exchange/messages", json={"type": "lead.push", "body": body})
    assert sent.status_code == 201, sent.text
    assert [e["type"] for e in sent.json()["envelopes"]] == ["lead.push", "lead.record"]

    def queue_of(client: httpx.Client, type: str) -> list[dict[str, Any]]:
        answer = client.get("/exchange/inbox", params={"type": type})
        assert answer.status_code == 200, answer.text
        return list(answer.json()["items"])

    fed.wait_for(lambda: queue_of(enforcement, "lead.push"), "the lead in Shanghai's queue")
    [item] = queue_of(enforcement, "lead.push")
    envelope = Envelope.model_validate(item["envelope"])
    assert envelope.verify(fed.bundle, datetime.now(UTC)).name == "浙江省知识产权局"
    assert envelope.body["lead"]["seller"] == "上海黄浦鞋业贸易有限公司"
    assert queue_of(stranger, "lead.push") == []  # another authority's queue stays empty

    fed.wait_for(lambda: queue_of(national, "lead.record"), "the national record")
    [record] = queue_of(national, "lead.record")
    assert record["subject"] == lead_id
    assert record["envelope"]["body"]["pushed_to"] == [SH_ENFORCEMENT]

    answered = enforcement.post(
        f"/exchange/leads/{lead_id}/feedback",
        json={"outcome": "case_opened", "case_number": "沪市监案〔2026〕101号"},
    )
    assert answered.status_code == 201, answered.text
    assert (
        stranger.post(
            f"/exchange/leads/{lead_id}/feedback", json={"outcome": "no_infringement"}
        ).json()["error"]
        == "no_lead"
    )

    def thread(client: httpx.Client) -> dict[str, Any]:
        return dict(client.get(f"/exchange/threads/{lead_id}").json())

    fed.wait_for(lambda: thread(zj).get("received"), "the feedback back in Zhejiang")
    back = thread(zj)
    assert [e["type"] for e in back["sent"]] == ["lead.push", "lead.record"]
    [feedback] = back["received"]
    assert feedback["envelope"]["body"]["outcome"] == "case_opened"
    assert feedback["envelope"]["body"]["handled_by"] == SH_ENFORCEMENT
    fed.wait_for(lambda: len(thread(national)["received"]) == 2, "the feedback on the record")

    links = {link["peer"]: link for link in zj.get("/exchange/links").json()["items"]}
    assert links["sh"]["delivered"] == 1 and links["national"]["delivered"] == 1
    assert all(link["key_known"] and link["dead"] == 0 for link in links.values())


def test_bad_envelopes_are_refused_with_their_reason_and_the_sender_told(
    federation_of: Any,
) -> None:
    fed = federation_of("sh", "zj")
    zj, sh = fed.nodes["zj"], fed.nodes["sh"]
    zj_org = Organisation("浙江省知识产权局", Role.REGIONAL, "330000")
    sh_org = Organisation("上海市知识产权局", Role.REGIONAL, "310000")
    to = [Organisation(SH_ENFORCEMENT, Role.ENFORCEMENT, "310000")]
    now = datetime.now(UTC)

    def sealed(sender: Organisation = zj_org, signer: str = "浙江省知识产权局") -> Envelope:
        key, certificate = fed.keys[signer]
        body = LeadPush(lead=Lead.model_validate(lead_body()["lead"]))
        return seal(body, recipients=to, key=key, certificate=certificate, sender=sender, now=now)

    good = sealed()
    tampered = sealed()
    bad = {
        "unsigned": sealed().model_copy(update={"signature": b""}),
        "tampered": tampered.model_copy(update={"body": {**tampered.body, "note": "changed"}}),
        "forged": sealed(signer=ZJ_ENFORCEMENT),  # claims Zhejiang's office, signed by another
        "wrong_link": sealed(sender=sh_org, signer="上海市知识产权局"),  # over Zhejiang's link
        "malformed": sealed(),
    }
    with transaction(zj.sessions) as db:
        queue(db=db, outgoing=[Outgoing(good, "good", ("sh",))], now=now)
        replay_seq = next_seq(db=db, peer="sh")  # a sender that replays what it sent
        db.add(
            OutboxDelivery(
                peer="sh", seq=replay_seq, envelope_id=good.id, attempts=0, queued_at=now
            )
        )
        for code, envelope in bad.items():
            queue(db=db, outgoing=[Outgoing(envelope, code, ("sh",))], now=now)
        db.execute(
            update(OutboxEnvelope)
            .where(OutboxEnvelope.id == bad["malformed"].id)
            .values(data=b'{"id":"not an envelope"}')
        )
    fed.start()

    def settled() -> bool:
        with zj.sessions() as db:  # reads only: waits for none of the node's writers
            states = db.scalars(select(OutboxDelivery.state)).all()
        return len(states) == 7 and DeliveryState.PENDING not in states

    fed.wait_for(settled, "every delivery to be acknowledged")
    with transaction(zj.sessions) as db:
        told = dict(
            db.execute(
                select(OutboxEnvelope.subject, OutboxDelivery.code)
                .join(OutboxEnvelope)
                .where(OutboxDelivery.state == DeliveryState.DEAD)
            ).all()
        )
        replayed = db.get(OutboxDelivery, ("sh", replay_seq))
        assert replayed is not None and replayed.code == "replayed"
    assert told == {"good": "replayed", **{code: code for code in bad}}
    with transaction(sh.sessions) as db:
        rows = db.scalars(select(InboxEnvelope).order_by(InboxEnvelope.id)).all()
    assert [(r.state, r.code) for r in rows] == [
        (InboxState.ACCEPTED, None),
        (InboxState.REFUSED, "replayed"),
        *((InboxState.REFUSED, code) for code in bad),
    ]
    assert all(r.reason for r in rows[1:])


def test_a_lead_confirmed_on_a_node_reaches_enforcement_by_itself(
    federation_of: Any,
) -> None:
    """The whole way: screening finds a lead on the Shanghai node, a reviewer confirms
    it, and the node's own round pushes it to Zhejiang, where the seller is."""
    fed = federation_of(
        "national",
        "sh",
        "zj",
        api_keys=(
            ("sh", "上海市知识产权局", Role.REGIONAL),
            ("zj", ZJ_ENFORCEMENT, Role.ENFORCEMENT),
            ("national", "国家知识产权局", Role.NATIONAL),
        ),
    )
    sh = fed.nodes["sh"]
    sh.settings = sh.settings.model_copy(update={"leads_push_seconds": 0.5})
    sh.settings.save()
    with transaction(sh.sessions) as db:
        for kind in SAMPLE_KINDS:
            import_file(db=db, kind=import_kind(kind), path=SAMPLE / f"{kind}.csv")
    fed.start()

    def api(node: str, org: str) -> httpx.Client:
        headers = {"X-API-Key": fed.api_keys[node, org]}
        return httpx.Client(base_url=fed.nodes[node].settings.base_url, headers=headers)

    office, enforcement = api("sh", "上海市知识产权局"), api("zj", ZJ_ENFORCEMENT)
    national = api("national", "国家知识产权局")
    launched = office.post("/detection/tasks", json={"rights": ["1587423"]})
    assert launched.status_code == 202, launched.text
    task = launched.json()
    fed.wait_for(
        lambda: office.get(f"/detection/tasks/{task['id']}").json()["status"] == "done",
        "the detection task",
    )
    leads = office.get("/detection/leads", params={"limit": 100}).json()["items"]
    (copycat,) = [lead for lead in leads if lead["right_ref"] == "1587423"]  # 大白兎, from 义乌
    confirmed = office.post(
        f"/detection/leads/{copycat['id']}/review",
        json={"decision": "confirm", "reason": "兎 for 兔, same class"},
    )
    assert confirmed.status_code == 200, confirmed.text

    def inbox(client: httpx.Client, type: str) -> list[dict[str, Any]]:
        return list(client.get("/exchange/inbox", params={"type": type}).json()["items"])

    fed.wait_for(lambda: inbox(enforcement, "lead.push"), "the lead in Zhejiang's queue")
    [item] = inbox(enforcement, "lead.push")
    envelope = Envelope.model_validate(item["envelope"])
    assert envelope.verify(fed.bundle, datetime.now(UTC)).name == "上海市知识产权局"
    assert envelope.body["lead"]["lead_id"] == copycat["id"]
    assert envelope.body["lead"]["jurisdiction"] == "330782"
    fed.wait_for(lambda: inbox(national, "lead.record"), "the national record")
