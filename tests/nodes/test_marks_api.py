"""The marks API: roles, public status endpoints, and bad input answered with 4xx."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rights import warrior
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipfed.nodes.app import create_app
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine
from ipfed.nodes.database.migrate import upgrade
from ipfed.nodes.identity import node_identity
from ipfed.registry.status_list import StatusListDocument
from ipfed.sdk import MarkSuspended, Verifier

HOLDER_NAME = "上海回力鞋业有限公司"
HOLDER = "91310115MA1FL3QX0F"


@pytest.fixture
def right_id(db: Session) -> str:
    right = warrior(holder=HOLDER_NAME)
    db.add(right)
    db.commit()
    return right.id


@pytest.fixture
def keys(db: Session, office: NodeSettings) -> dict[str, str]:
    made = {
        "office": create_api_key(db=db, org=office.org_name, role=Role.REGIONAL),
        "other office": create_api_key(db=db, org="浙江省知识产权局", role=Role.REGIONAL),
        "holder": create_api_key(db=db, org=HOLDER_NAME, role=Role.RIGHTS_HOLDER),
        "stranger": create_api_key(db=db, org="某贸易公司", role=Role.RIGHTS_HOLDER),
        "platform": create_api_key(db=db, org="某电商平台", role=Role.PLATFORM),
        "other platform": create_api_key(db=db, org="另一电商平台", role=Role.PLATFORM),
    }
    db.commit()
    return {name: secret for name, (_, secret) in made.items()}


@pytest.fixture
def client(
    engine: Engine, sessions: sessionmaker[Session], office: NodeSettings
) -> Iterator[TestClient]:
    app = create_app(office.model_copy(update={"ledger_sync_seconds": 0}), engine)
    app.state.sessions = sessions  # requests join the test's rolled-back transaction
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def post(client: TestClient, path: str, key: str, body: object) -> tuple[int, dict]:
    response = client.post(path, json=body, headers={"X-API-Key": key})
    return response.status_code, response.json()


def test_only_the_issuing_office_issues_and_changes_marks(
    client: TestClient, keys: dict[str, str], right_id: str
) -> None:
    body = {"right_id": right_id, "holder_uscc": HOLDER}
    for who in ("other office", "holder", "platform"):
        status, answer = post(client, "/marks", keys[who], body)
        assert status == 403, who
    status, mark = post(client, "/marks", keys["office"], body)
    assert status == 201 and mark["status"] == "active"
    assert mark["url"] == "https://310000.ipfed.cn/v/" + mark["token"]
    change = {"status": "suspended", "reason": "under investigation"}
    status, answer = post(client, f"/marks/{mark['id']}/status", keys["other office"], change)
    assert (status, answer["error"]) == (403, "not_issuer")
    status, answer = post(client, f"/marks/{mark['id']}/status", keys["office"], change)
    assert status == 200 and answer["status"] == "suspended"


def test_units_go_to_the_holder_only(
    client: TestClient, keys: dict[str, str], right_id: str
) -> None:
    _, mark = post(client, "/marks", keys["office"], {"right_id": right_id, "holder_uscc": HOLDER})
    batch = {"batch_number": "B-1", "quantity": 3}
    status, answer = post(client, f"/marks/{mark['id']}/units", keys["stranger"], batch)
    assert (status, answer["error"]) == (403, "not_holder")
    status, units = post(client, f"/marks/{mark['id']}/units", keys["holder"], batch)
    assert status == 201 and len(units["units"]) == 3


def test_the_public_status_endpoints(
    client: TestClient, keys: dict[str, str], right_id: str, office: NodeSettings
) -> None:
    _, mark = post(client, "/marks", keys["office"], {"right_id": right_id, "holder_uscc": HOLDER})
    post(
        client,
        f"/marks/{mark['id']}/status",
        keys["office"],
        {"status": "suspended", "reason": "r"},
    )
    answer = client.get(f"/marks/{mark['id']}/status").json()  # no key needed
    assert answer["status"] == "suspended" and answer["reason"] == "r"
    verifier = Verifier(node_identity(office).bundle)
    for purpose in ("revocation", "suspension"):
        response = client.get(f"/status-lists/{purpose}")
        assert response.status_code == 200
        verifier.load_status(StatusListDocument.model_validate_json(response.content))
    with pytest.raises(MarkSuspended):
        verifier.verify(mark["url"])
    page = client.get("/v/" + mark["token"])
    assert page.status_code == 410 and "标识已暂停使用" in page.text
    assert client.get("/v/not-a-token").status_code == 400
    qr = client.get(f"/marks/{mark['id']}/qr.png", headers={"X-API-Key": keys["platform"]})
    assert qr.headers["content-type"] == "image/png" and qr.content[:4] == b"\x89PNG"


def test_two_apps_in_one_process_keep_their_own_status_answers(
    client: TestClient, keys: dict[str, str], right_id: str, office: NodeSettings, tmp_path: Path
) -> None:
    """Another node's app in the same process, on its own database, holds no such mark:
    it must not answer from the answers the first app keeps."""
    _, mark = post(client, "/marks", keys["office"], {"right_id": right_id, "holder_uscc": HOLDER})
    path = f"/marks/{mark['id']}/status"
    assert client.get(path).json()["status"] == "active"  # now kept by the first app
    other_engine = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other_engine)
    (tmp_path / "other").mkdir()
    other = create_app(office.model_copy(update={"data_dir": tmp_path / "other"}), other_engine)
    try:
        response = TestClient(other, raise_server_exceptions=False).get(path)
    finally:
        other_engine.dispose()
    assert (response.status_code, response.json()["error"]) == (404, "not_found")
    assert client.get(path).status_code == 200


def test_scans_answer_a_verdict(client: TestClient, keys: dict[str, str], right_id: str) -> None:
    _, mark = post(client, "/marks", keys["office"], {"right_id": right_id, "holder_uscc": HOLDER})
    scan = {"token": mark["url"], "biz_step": "retail_selling", "seller_uscc": HOLDER}
    status, verdict = post(client, "/marks/scans", keys["platform"], scan)
    assert status == 200 and verdict["valid"] and verdict["event_id"]
    scan["seller_uscc"] = "91330106MA27Y8K10G"
    _, verdict = post(client, "/marks/scans", keys["platform"], scan)
    assert not verdict["valid"] and verdict["error"] == "unlicensed_seller"
    events = client.get(f"/marks/{mark['id']}/events", headers={"X-API-Key": keys["platform"]})
    assert [e["bizStep"] for e in events.json()["epcisBody"]["eventList"]] == [
        "commissioning",
        "retail_selling",
        "retail_selling",
    ]


def test_scans_take_bare_tokens_and_federation_urls_only(
    client: TestClient, keys: dict[str, str], right_id: str
) -> None:
    """A genuine token inside a URL of a host the federation does not name is refused."""
    _, mark = post(client, "/marks", keys["office"], {"right_id": right_id, "holder_uscc": HOLDER})
    for token in (mark["token"], mark["url"]):
        scan = {"token": token, "biz_step": "retail_selling"}
        status, verdict = post(client, "/marks/scans", keys["platform"], scan)
        assert status == 200 and verdict["valid"]
    for host in ("https://attacker.example", "http://310000.ipfed.cn.attacker.example"):
        scan = {"token": f"{host}/v/{mark['token']}", "biz_step": "retail_selling"}
        status, answer = post(client, "/marks/scans", keys["platform"], scan)
        assert (status, answer["error"]) == (422, "foreign_verification_url")


def test_one_platform_key_cannot_forge_a_trusted_clone_alert(
    client: TestClient, keys: dict[str, str], right_id: str
) -> None:
    """Two made-up scans of a genuine unit from one platform key, with the times, places
    and sellers it chose: the alerts they raise say they are that platform's word alone."""
    _, mark = post(client, "/marks", keys["office"], {"right_id": right_id, "holder_uscc": HOLDER})
    batch = {"batch_number": "B-1", "quantity": 1}
    _, units = post(client, f"/marks/{mark['id']}/units", keys["holder"], batch)
    token = units["units"][0]["url"]
    hours_ago = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    made_up = [
        {"seen_at": hours_ago, "latitude": 31.23, "longitude": 121.47, "seller_uscc": HOLDER},
        {
            "seen_at": hours_ago,
            "latitude": 43.83,
            "longitude": 87.62,
            "seller_uscc": "91330106MA27Y8K10G",
        },
    ]
    for scan in made_up:
        status, verdict = post(
            client,
            "/marks/scans",
            keys["platform"],
            {"token": token, "biz_step": "retail_selling", **scan},
        )
        assert status == 200
    alerts = verdict["alerts"]
    # Sent hours after the time they give, so their arrival does not time them: no
    # travel is judged. The two sellers are the one platform's word.
    assert [a["kind"] for a in alerts] == ["multiple_sellers"]
    assert all(a["single_party"] and a["organisations"] == 1 for a in alerts)
    for alert in alerts:
        assert alert["first"]["org"] == alert["second"]["org"] == "某电商平台"
        assert alert["second"]["trust"] == "party"
        assert alert["second"]["received_at"] > alert["second"]["reported_at"]
    # Another platform sees the unit offered by yet another seller: two organisations' word.
    third = {"token": token, "biz_step": "retail_selling", "seller_uscc": "91310104MA1G5R2N0T"}
    status, verdict = post(client, "/marks/scans", keys["other platform"], third)
    assert status == 200, verdict
    (sellers,) = verdict["alerts"]
    assert (sellers["kind"], sellers["organisations"], sellers["single_party"]) == (
        "multiple_sellers",
        2,
        False,
    )
    listed = client.get("/marks/alerts", headers={"X-API-Key": keys["office"]}).json()
    assert sorted(a["single_party"] for a in listed["items"]) == [False, True]


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/marks", {"right_id": "nope", "holder_uscc": HOLDER}, "invalid_request"),
        ("/marks", {"right_id": "01JD8X4ZQ5E7B6M3N2P1R0S9T8", "holder_uscc": HOLDER}, "not_found"),
        (
            "/marks",
            {"right_id": "01JD8X4ZQ5E7B6M3N2P1R0S9T8", "holder_uscc": "123"},
            "invalid_request",
        ),
        ("/marks/scans", {"token": "x" * 40, "biz_step": "retail_selling"}, None),
        ("/marks/scans", {"token": "x" * 40, "biz_step": "commissioning"}, "invalid_request"),
        (
            "/marks/01JD8X4ZQ5E7B6M3N2P1R0S9T8/units",
            {"batch_number": "b", "quantity": 0},
            "invalid_request",
        ),
        (
            "/marks/01JD8X4ZQ5E7B6M3N2P1R0S9T8/status",
            {"status": "gone", "reason": "r"},
            "invalid_request",
        ),
    ],
)
def test_bad_input_gets_a_4xx_with_a_code(
    client: TestClient, keys: dict[str, str], path: str, body: dict, code: str | None
) -> None:
    status, answer = post(client, path, keys["office"], body)
    if code is None:  # a scan of garbage is a verdict, not an error
        assert status == 200 and answer["error"] == "malformed_token"
    else:
        assert 400 <= status < 500 and answer["error"] == code
    assert client.get("/marks/01JD8X4ZQ5E7B6M3N2P1R0S9T8/status").status_code == 404
    assert client.get("/status-lists/other").status_code == 422


def test_who_scanned_a_mark_where_is_for_the_office_the_holder_and_the_scanner(
    client: TestClient, keys: dict[str, str], right_id: str
) -> None:
    _, mark = post(client, "/marks", keys["office"], {"right_id": right_id, "holder_uscc": HOLDER})
    scan = {"token": mark["url"], "biz_step": "retail_selling", "place": "南京东路 100 号"}
    assert post(client, "/marks/scans", keys["platform"], scan)[0] == 200

    def seen_by(who: str) -> list[tuple[str, str | None]]:
        path = f"/marks/{mark['id']}/events"
        document = client.get(path, headers={"X-API-Key": keys[who]}).json()
        return [(e["bizStep"], e.get("ipfed:place")) for e in document["epcisBody"]["eventList"]]

    scanned = [("commissioning", None), ("retail_selling", "南京东路 100 号")]
    for who in ("office", "holder", "platform"):
        assert seen_by(who) == scanned, who
    for who in ("other platform", "other office", "stranger"):
        assert seen_by(who) == [("commissioning", None)], who
