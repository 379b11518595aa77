"""The detection API: tasks by role, the review queue, evidence, tracing and push payloads;
bad input answers a 4xx with a code, never a 500."""

from collections.abc import Iterator

import pytest
from cryptography import x509
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.identity import PrivateKey
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.app import create_app
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import transaction
from ipfed.nodes.detection.evidence import EvidenceBundle
from ipfed.nodes.detection.models import DetectionTask, Lead


@pytest.fixture
def keys(db: Session, settings: NodeSettings, sample_data: None) -> dict[Role, str]:
    """A key of every role; the regional key is the node's own office's."""
    org = {role: settings.org_name if role is Role.REGIONAL else f"{role} org" for role in Role}
    created = {role: create_api_key(db=db, org=org[role], role=role)[1] for role in Role}
    db.commit()
    return created


@pytest.fixture
def client(
    engine: Engine,
    sessions: sessionmaker[Session],
    settings: NodeSettings,
    federation: tuple[TrustBundle, PrivateKey, x509.Certificate],
) -> Iterator[TestClient]:
    bundle, key, certificate = federation
    settings.identity_dir.mkdir()
    write_private_key(settings.identity_dir / "org.key", key)
    write_certificate(settings.identity_dir / "org.pem", certificate)
    (settings.identity_dir / "trust-bundle.json").write_text(bundle.to_json(), encoding="utf-8")
    settings.jobs_poll_seconds = 0  # jobs run in the test's thread, on its connection
    app = create_app(settings, engine)
    app.state.sessions = sessions
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def run_jobs(client: TestClient) -> None:
    runner = client.app.state.jobs  # type: ignore[attr-defined]
    while runner.run_one():
        pass


def call(client: TestClient, method: str, path: str, key: str, **kwargs: object):  # type: ignore[no-untyped-def]
    response = client.request(method, path, headers={"X-API-Key": key}, **kwargs)  # type: ignore[arg-type]
    return response.status_code, response.json()


def test_a_rights_holder_task_then_review_evidence_trace_and_push(
    client: TestClient,
    keys: dict[Role, str],
    federation: tuple[TrustBundle, PrivateKey, x509.Certificate],
) -> None:
    holder, office = keys[Role.RIGHTS_HOLDER], keys[Role.REGIONAL]
    status, task = call(client, "POST", "/detection/tasks", holder, json={"rights": ["1587423"]})
    assert status == 202 and task["origin"] == "rights_holder", task
    run_jobs(client)
    status, task = call(client, "GET", f"/detection/tasks/{task['id']}", holder)
    assert (task["status"], task["screened"], task["leads"]) == ("done", 5, 1)
    assert (
        call(client, "GET", f"/detection/tasks/{task['id']}", keys[Role.ASSISTANCE_CENTRE])[0]
        == 404
    )

    status, queue = call(client, "GET", "/detection/queue", office)
    assert status == 200 and [lead["right_ref"] for lead in queue["items"]] == ["1587423"]
    lead = queue["items"][0]
    assert lead["task_id"] == task["id"] and lead["region_code"] == "330782"

    assert (
        call(client, "GET", f"/detection/leads/{lead['id']}/push", office)[1]["error"]
        == "not_confirmed"
    )
    status, body = call(
        client,
        "POST",
        f"/detection/leads/{lead['id']}/review",
        office,
        json={"decision": "approve", "reason": "x"},
    )
    assert (status, body["error"]) == (422, "invalid_request")
    status, body = call(
        client,
        "POST",
        f"/detection/leads/{lead['id']}/review",
        office,
        json={"decision": "confirm", "reason": "兎 for 兔"},
    )
    assert status == 200 and body["status"] == "confirmed" and body["ledger_position"] is not None
    status, body = call(
        client,
        "POST",
        f"/detection/leads/{lead['id']}/review",
        office,
        json={"decision": "reject", "reason": "second thoughts"},
    )
    assert (status, body["error"]) == (409, "lead_decided")
    assert (
        call(
            client,
            "POST",
            f"/detection/leads/{lead['id']}/review",
            keys[Role.PLATFORM],
            json={"decision": "reject", "reason": "x"},
        )[0]
        == 403
    )

    status, pushed = call(client, "GET", f"/detection/leads/{lead['id']}/push", office)
    assert status == 200 and pushed["right_id"] == "1587423" and pushed["region_code"] == "330782"
    status, bundle = call(client, "GET", f"/detection/leads/{lead['id']}/evidence", office)
    verified = EvidenceBundle.model_validate(bundle)
    assert verified.sha256 == pushed["evidence_sha256"]
    verified.verify(federation[0])
    status, traced = call(client, "GET", f"/detection/leads/{lead['id']}/trace", office)
    assert traced["matched_by"] == "shop" and traced["uscc"] == "92330782MA29C7TB03"
    status, reviews = call(client, "GET", f"/detection/leads/{lead['id']}/reviews", office)
    assert [r["decision"] for r in reviews["items"]] == ["confirm"]
    status, figures = call(client, "GET", "/detection/precision", office)
    assert {f["kind"]: f["precision"] for f in figures["items"]}["trademark"] == 1.0


def test_who_may_launch_what(client: TestClient, keys: dict[Role, str]) -> None:
    status, body = call(client, "POST", "/detection/tasks", keys[Role.RIGHTS_HOLDER], json={})
    assert (status, body["error"]) == (422, "rights_required")
    status, body = call(
        client, "POST", "/detection/tasks", keys[Role.REGIONAL], json={"rights": ["77"]}
    )
    assert (status, body["error"]) == (404, "right_not_found")
    status, body = call(
        client, "POST", "/detection/tasks", keys[Role.NATIONAL], json={"nice_classes": [99]}
    )
    assert (status, body["error"]) == (422, "invalid_request")
    assert (
        call(client, "POST", "/detection/tasks", keys[Role.PLATFORM], json={"rights": ["1587423"]})[
            0
        ]
        == 403
    )
    status, task = call(
        client,
        "POST",
        "/detection/tasks",
        keys[Role.NATIONAL],
        json={"nice_classes": [25], "region": "310000"},
    )
    assert status == 202 and task["origin"] == "national"
    run_jobs(client)
    status, task = call(client, "GET", f"/detection/tasks/{task['id']}", keys[Role.NATIONAL])
    assert (task["status"], task["leads"]) == ("done", 1)  # 回カ, by a Shanghai seller


def test_screen_on_the_spot_and_errors(client: TestClient, keys: dict[Role, str]) -> None:
    office = keys[Role.REGIONAL]
    status, found = call(
        client,
        "POST",
        "/detection/screen",
        office,
        json={"title": "大白兎 奶糖", "seller": "某店", "nice_class": 30},
    )
    assert status == 200 and [f["right_id"] for f in found] == ["1587423"]
    status, body = call(
        client, "POST", "/detection/screen", office, json={"title": "", "seller": "x"}
    )
    assert (status, body["error"]) == (422, "invalid_request")
    assert (
        call(client, "GET", "/detection/leads/01ARZ3NDEKTSV4RRFFQ69G5FAV", office)[1]["error"]
        == "lead_not_found"
    )
    assert call(client, "GET", "/detection/leads", keys[Role.PLATFORM])[0] == 403
    status, page = call(client, "GET", "/detection/leads", office, params={"status": "suspected"})
    assert status == 200 and page["items"] == []
    status, counts = call(client, "POST", "/detection/monitoring", office)
    assert status == 200 and counts["key_trademarks"] == 6
    status, entries = call(
        client, "GET", "/detection/monitoring", office, params={"directory": "key_trademarks"}
    )
    assert len(entries["items"]) == 6 and entries["next"] is None
    # A small aggregate is walked like any list: by its key, page after page.
    walked, params = [], {"directory": "key_trademarks", "limit": 4}
    while True:
        status, entries = call(client, "GET", "/detection/monitoring", office, params=params)
        walked += [f"{e['directory']}/{e['subject']}" for e in entries["items"]]
        if entries["next"] is None:
            break
        params["after"] = entries["next"]
    assert walked == sorted(walked) and len(set(walked)) == 6


def test_the_review_queue_is_walked_page_by_page(
    client: TestClient, keys: dict[Role, str], db: Session, leads: dict[str, Lead]
) -> None:
    first, second = list(leads.values())[:2]
    first.priority = second.priority  # a tie: the lead id orders it
    db.flush()
    status, whole = call(client, "GET", "/detection/queue", keys[Role.REGIONAL])
    assert status == 200 and set(whole) == {"items", "next"} and whole["next"] is None
    assert len(whole["items"]) == len(leads) > 2

    walked, after = [], None
    while True:
        params = {"limit": 1} | ({"after": after} if after else {})
        status, page = call(client, "GET", "/detection/queue", keys[Role.REGIONAL], params=params)
        assert status == 200 and set(page) == {"items", "next"}
        walked += page["items"]
        if (after := page["next"]) is None:
            break
    assert [lead["id"] for lead in walked] == [lead["id"] for lead in whole["items"]]


def test_a_task_that_fails_after_its_202_ends_failed_with_its_reason(
    client: TestClient, keys: dict[Role, str], sessions: sessionmaker[Session]
) -> None:
    holder = keys[Role.RIGHTS_HOLDER]
    status, task = call(client, "POST", "/detection/tasks", holder, json={"rights": ["1587423"]})
    assert status == 202 and task["status"] == "queued"
    with transaction(sessions) as db:  # a scope the task cannot run with
        db.get_one(DetectionTask, task["id"]).scope = {"nice_classes": "none"}
    run_jobs(client)
    status, task = call(client, "GET", f"/detection/tasks/{task['id']}", holder)
    assert status == 200 and task["status"] == "failed" and task["error"], task
