"""The filings API at a regional node (create, fill, preview, submit, correct,
receipts, calendar) and at the national node (received filings, the report):
roles, and bad input answered with a 4xx and a code."""

import io
import json
from collections.abc import Iterator

import pandas as pd
import pytest
from cryptography import x509
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.canonical import canonical_bytes
from ipfed.ledger.identity import PrivateKey
from ipfed.nodes.app import create_app
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import new_id, utcnow
from ipfed.nodes.filings.calendar import FilingKind, Granularity, Period, china_today
from ipfed.nodes.filings.document import FilingDocument, SignedFiling, SignedReceipt
from ipfed.nodes.filings.statistics import LeadFigures, Statistics
from ipfed.nodes.filings.transport import FilingTransport
from ipfed.nodes.identity import node_identity

Keys = dict[str, tuple[PrivateKey, x509.Certificate]]
WRITTEN = {"progress": "开展专项检查。", "problems": "无", "next_month": "继续巡查。"}


def client_for(
    settings: NodeSettings, engine: Engine, sessions: sessionmaker[Session]
) -> Iterator[TestClient]:
    app = create_app(settings, engine)
    app.state.sessions = sessions  # requests join the test's rolled-back transaction
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def keys(db: Session) -> dict[str, str]:
    made = {
        "sh": create_api_key(db=db, org="上海市知识产权局", role=Role.REGIONAL),
        "zj": create_api_key(db=db, org="浙江省知识产权局", role=Role.REGIONAL),
        "national": create_api_key(db=db, org="国家知识产权局", role=Role.NATIONAL),
        "platform": create_api_key(db=db, org="某电商平台", role=Role.PLATFORM),
    }
    db.commit()
    return {name: secret for name, (_, secret) in made.items()}


@pytest.fixture
def regional(
    engine: Engine,
    sessions: sessionmaker[Session],
    shanghai: NodeSettings,
    to_national: FilingTransport,
) -> Iterator[TestClient]:
    for client in client_for(shanghai, engine, sessions):
        client.app.state.filing_transport = to_national  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def national_api(
    engine: Engine, sessions: sessionmaker[Session], national: NodeSettings
) -> Iterator[TestClient]:
    yield from client_for(national, engine, sessions)


def as_(key: str) -> dict[str, str]:
    return {"X-API-Key": key, "Content-Type": "application/json"}


def last_month() -> str:
    return str(Period.of(Granularity.MONTH, china_today(utcnow())).previous())


def test_a_region_writes_previews_submits_and_corrects_a_filing(
    regional: TestClient, keys: dict[str, str], shanghai: NodeSettings
) -> None:
    office = as_(keys["sh"])
    period = last_month()
    created = regional.post(
        "/filings", json={"kind": "monthly_report", "period": period}, headers=office
    )
    assert created.status_code == 201, created.text
    filing = created.json()
    assert (filing["state"], filing["version"], filing["period"]) == ("draft", 1, period)
    assert filing["statistics"]["leads"]["total"] == 0
    filing_id = filing["id"]

    early = regional.post(f"/filings/{filing_id}/submit", headers=office)
    assert early.status_code == 422 and early.json()["error"] == "incomplete_filing"
    filled = regional.patch(f"/filings/{filing_id}", json={"sections": WRITTEN}, headers=office)
    assert filled.json()["sections"] == WRITTEN
    page = regional.get(f"/filings/{filing_id}/preview", headers=office)
    assert page.status_code == 200 and "本月工作进展" in page.text and "开展专项检查" in page.text

    submitted = regional.post(f"/filings/{filing_id}/submit", headers=office)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "acknowledged" and submitted.json()["sha256"]
    receipt = regional.get(f"/filings/{filing_id}/receipt", headers=office).json()
    signed = SignedReceipt.model_validate(receipt["receipt"])
    assert signed.document.filing_sha256 == submitted.json()["sha256"]
    signed.verify(node_identity(shanghai).bundle, signed.document.received_at)
    receipts = regional.get("/filings/receipts", params={"limit": 1}, headers=office).json()
    assert [r["filing_id"] for r in receipts["items"]] == [filing_id]
    assert receipts["next"] == filing_id  # a full page: the next may hold more
    after = {"after": filing_id}
    assert regional.get("/filings/receipts", params=after, headers=office).json() == {
        "items": [],
        "next": None,
    }

    refill = regional.patch(f"/filings/{filing_id}", json={"title": "改"}, headers=office)
    assert refill.status_code == 409 and refill.json()["error"] == "not_a_draft"
    correction = regional.post(f"/filings/{filing_id}/correction", headers=office)
    assert correction.status_code == 201
    assert (correction.json()["version"], correction.json()["supersedes_id"]) == (2, filing_id)
    listed = regional.get("/filings", params={"period": period}, headers=office).json()
    assert [(f["version"], f["state"]) for f in listed["items"]] == [
        (1, "acknowledged"),
        (2, "draft"),
    ]

    calendar = regional.get("/filings/calendar", params={"year": period[:4]}, headers=office)
    entry = next(o for o in calendar.json()["items"] if o["period"] == period)
    assert entry["filing_id"] == filing_id  # the latest filed version, not the draft
    assert entry["standing"] in ("filed", "filed_late")
    reminded = regional.get("/filings/reminders", headers=office).json()["items"]
    assert all(o["standing"] in ("overdue", "due_soon") for o in reminded)
    assert period not in [o["period"] for o in reminded if o["kind"] == "monthly_report"]


def test_bad_input_gets_a_4xx_and_a_code(
    regional: TestClient, keys: dict[str, str], sample_data: None
) -> None:
    office = as_(keys["sh"])
    cases = [
        ({"kind": "monthly_report", "period": "2024-13"}, 422, "bad_period"),
        ({"kind": "monthly_report", "period": "2024"}, 422, "bad_period"),
        ({"kind": "weekly_report", "period": "2024-03"}, 422, "invalid_request"),
        ({"kind": "monthly_report", "period": "2024-03", "x": 1}, 422, "invalid_request"),
    ]
    for body, status, code in cases:
        answer = regional.post("/filings", json=body, headers=office)
        assert (answer.status_code, answer.json()["error"]) == (status, code), body
    filing_id = regional.post(
        "/filings", json={"kind": "monthly_report", "period": "2024-03"}, headers=office
    ).json()["id"]
    again = regional.post(
        "/filings", json={"kind": "monthly_report", "period": "2024-03"}, headers=office
    )
    assert (again.status_code, again.json()["error"]) == (409, "filing_exists")
    for body, code in [
        ({"sections": {"weather": "晴"}}, "unknown_section"),
        ({"typical_cases": [{"case_no": "不存在"}]}, "unknown_case"),
        ({"title": ""}, "invalid_request"),
    ]:
        answer = regional.patch(f"/filings/{filing_id}", json=body, headers=office)
        assert (answer.status_code, answer.json()["error"]) == (422, code), body
    chosen = regional.patch(
        f"/filings/{filing_id}",
        json={"typical_cases": [{"case_no": "(2023)沪0115民初12345号", "summary": "典型。"}]},
        headers=office,
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["typical_cases"][0]["summary"] == "典型。"
    assert regional.get(f"/filings/{new_id()}", headers=office).status_code == 404
    assert regional.get("/filings/not-an-id", headers=office).status_code == 422
    report = regional.get("/filings/report", params={"period": "2024-03"}, headers=office)
    assert (report.status_code, report.json()["error"]) == (403, "not_national")


def test_only_the_office_itself_works_on_its_filings(
    regional: TestClient, keys: dict[str, str]
) -> None:
    body = {"kind": "monthly_report", "period": "2024-03"}
    assert regional.post("/filings", json=body).status_code == 401
    assert regional.post("/filings", json=body, headers=as_(keys["platform"])).status_code == 403
    other = regional.post("/filings", json=body, headers=as_(keys["zj"]))
    assert (other.status_code, other.json()["error"]) == (403, "not_this_office")
    assert regional.get("/filings/calendar", headers=as_(keys["national"])).status_code == 403


def signed_filing(offices: Keys, period: str, leads: int) -> SignedFiling:
    key, certificate = offices["sh"]
    document = FilingDocument(
        filing_id=new_id(),
        region_code="310000",
        office="上海市知识产权局",
        kind=FilingKind.MONTHLY_REPORT,
        period=period,
        version=1,
        title="月度工作进展",
        statistics=Statistics(leads=LeadFigures(total=leads, by_kind={"trademark": leads})),
        sections=WRITTEN,
        typical_cases=[],
        signed_at=utcnow(),
    )
    return SignedFiling.create(document, key, certificate)


def test_the_national_node_receives_filings_and_reports_on_them(
    national_api: TestClient, keys: dict[str, str], offices: Keys
) -> None:
    period = last_month()
    filing = signed_filing(offices, period, leads=8)
    tampered = json.loads(filing.to_bytes())
    tampered["document"]["statistics"]["leads"]["total"] = 80
    refused = national_api.post(
        "/filings/received", content=canonical_bytes(tampered), headers=as_(keys["sh"])
    )
    assert (refused.status_code, refused.json()["error"]) == (422, "tampered")
    by_platform = national_api.post(
        "/filings/received", content=filing.to_bytes(), headers=as_(keys["platform"])
    )
    assert by_platform.status_code == 403
    garbage = national_api.post("/filings/received", content=b"{", headers=as_(keys["sh"]))
    assert garbage.status_code == 422
    newer = json.loads(filing.to_bytes())
    newer["document"]["v"] = "2.0"  # from a node of a later major version
    unread = national_api.post(
        "/filings/received", content=canonical_bytes(newer), headers=as_(keys["sh"])
    )
    assert (unread.status_code, unread.json()["error"]) == (422, "unsupported_version")

    answer = national_api.post(
        "/filings/received", content=filing.to_bytes(), headers=as_(keys["sh"])
    )
    assert answer.status_code == 200, answer.text
    receipt = SignedReceipt.model_validate(answer.json())
    assert receipt.document.filing_sha256 == filing.document.sha256()

    office = as_(keys["national"])
    listed = national_api.get("/filings", params={"state": "received"}, headers=office).json()
    assert [f["id"] for f in listed["items"]] == [filing.document.filing_id]
    csv = national_api.get(
        "/filings/report", params={"period": period, "format": "csv"}, headers=office
    )
    assert csv.headers["content-type"].startswith("text/csv")
    table = pd.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig").set_index("region_code")
    assert table.loc[310000, "leads.total"] == 8 and len(table) == 31
    xlsx = national_api.get(
        "/filings/report", params={"period": period, "format": "xlsx"}, headers=office
    )
    assert pd.read_excel(io.BytesIO(xlsx.content), sheet_name="未报送").shape[0] == 30
    page = national_api.get("/filings/report", params={"period": period}, headers=office)
    assert page.headers["content-type"].startswith("text/html") and page.text.count("<svg") == 4
    calendar = national_api.get("/filings/calendar", headers=office).json()["items"]
    assert {o["region_code"] for o in calendar} >= {"110000", "310000", "650000"}
    bad = national_api.get(
        "/filings/report", params={"period": period, "format": "pdf"}, headers=office
    )
    assert bad.status_code == 422
