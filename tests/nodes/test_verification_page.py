"""The public verification page over HTTP: its answers for each verdict, a unit
code's checks counted once per address, and the report form's protections (CSRF
token, complete fields, image photos, a few reports an hour per address)."""

from collections.abc import Iterator

import pytest
from console import csrf_of
from fastapi.testclient import TestClient
from rights import warrior
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.identity import Role
from ipfed.nodes.app import create_app
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.marks.models import SuspectReport
from ipfed.nodes.marks.page import REPORTS_PER_HOUR

HOLDER = "91310115MA1FL3QX0F"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def client(
    engine: Engine, sessions: sessionmaker[Session], office: NodeSettings
) -> Iterator[TestClient]:
    app = create_app(office, engine)
    app.state.sessions = sessions  # requests join the test's rolled-back transaction
    # The node's public URL is https, so its cookies are Secure: reached over https.
    with TestClient(
        app, base_url="https://testserver", raise_server_exceptions=False
    ) as test_client:
        yield test_client


@pytest.fixture
def key(db: Session, office: NodeSettings) -> str:
    _, secret = create_api_key(db=db, org=office.org_name, role=Role.REGIONAL)
    db.commit()
    return secret


@pytest.fixture
def mark(client: TestClient, db: Session, key: str) -> dict[str, str]:
    right = warrior(holder="上海回力鞋业有限公司")
    db.add(right)
    db.commit()
    body = {"right_id": right.id, "holder_uscc": HOLDER}
    answer: dict[str, str] = client.post("/marks", json=body, headers={"X-API-Key": key}).json()
    return answer


def units(client: TestClient, mark: dict[str, str], key: str) -> list[str]:
    body = {"batch_number": "B-7", "quantity": 2}
    answer = client.post(f"/marks/{mark['id']}/units", json=body, headers={"X-API-Key": key})
    return [unit["url"].rsplit("/v/", 1)[1] for unit in answer.json()["units"]]


def test_each_verdict_keeps_its_status_code(
    client: TestClient, mark: dict[str, str], key: str
) -> None:
    valid = client.get(f"/v/{mark['token']}")
    assert valid.status_code == 200 and "正品标识" in valid.text and "第25类 服装鞋帽" in valid.text
    assert mark["id"] not in valid.text  # no internal id
    assert client.get("/v/not-a-token").status_code == 400
    change = {"status": "revoked", "reason": "伪造申请材料"}
    client.post(f"/marks/{mark['id']}/status", json=change, headers={"X-API-Key": key})
    revoked = client.get(f"/v/{mark['token']}?lang=en")
    assert revoked.status_code == 410 and "Mark revoked" in revoked.text
    assert "伪造申请材料" in revoked.text


def test_a_unit_code_counts_one_check_per_address(
    client: TestClient, mark: dict[str, str], key: str
) -> None:
    token = units(client, mark, key)[0]
    client.get(f"/v/{token}")
    again = client.get(f"/v/{token}")
    assert '<dd class="checks">1</dd>' in again.text
    scan = {"token": token, "biz_step": "retail_selling", "seller_uscc": HOLDER}
    client.post("/marks/scans", json=scan, headers={"X-API-Key": key})
    assert '<dd class="checks">2</dd>' in client.get(f"/v/{token}").text  # and the sighting


def report(client: TestClient, token: str, **fields: object) -> tuple[int, str]:
    page = client.get(f"/v/{token}")
    form = {"csrf_token": csrf_of(page), "where_bought": "某夜市", "seller": "无名摊位"}
    files = fields.pop("files", None)
    form.update({k: str(v) for k, v in fields.items()})
    answer = client.post(
        f"/v/{token}/report",
        data=form,
        files=files,
        follow_redirects=False,  # type: ignore[arg-type]
    )
    return answer.status_code, answer.text


def test_a_report_without_the_form_token_is_refused(
    client: TestClient, mark: dict[str, str], db: Session
) -> None:
    client.get(f"/v/{mark['token']}")  # the CSRF cookie is set
    form = {"where_bought": "某夜市", "seller": "无名摊位"}
    refused = client.post(f"/v/{mark['token']}/report", data=form)
    assert (refused.status_code, refused.json()["error"]) == (403, "csrf_token_missing")
    form["csrf_token"] = "forged"
    refused = client.post(f"/v/{mark['token']}/report", data=form)
    assert (refused.status_code, refused.json()["error"]) == (403, "csrf_token_invalid")
    assert db.scalar(select(func.count()).select_from(SuspectReport)) == 0


def test_reports_of_a_fake_label_and_of_bad_input(
    client: TestClient, db: Session, key: str
) -> None:
    status, _ = report(client, "forged-label-0123456789", files={"photo": ("p.png", PNG)})
    assert status == 303
    stored = db.scalars(select(SuspectReport)).one()
    assert (stored.mark_id, stored.verdict, stored.photo_type) == (None, "unknown", "image/png")
    status, page = report(client, "forged-label-0123456789", seller=" ")
    assert status == 422 and "请填写购买地点和卖家名称" in page
    status, page = report(
        client, "forged-label-0123456789", files={"photo": ("p.txt", b"not an image")}
    )
    assert status == 422 and "照片须为" in page
    listed = client.get("/marks/suspect-reports", headers={"X-API-Key": key}).json()
    assert [r["where_bought"] for r in listed["items"]] == ["某夜市"]


def test_an_address_may_send_a_few_reports_an_hour(
    client: TestClient, mark: dict[str, str]
) -> None:
    for _ in range(REPORTS_PER_HOUR):
        assert report(client, mark["token"])[0] == 303
    status, page = report(client, mark["token"])
    assert status == 429 and "您提交的举报过多" in page
