"""The national office's pages at the national node: leads received from two regions,
filings received (on time, late, missing), the consolidated report with its charts,
and the ledger's health (a regional checkpoint witnessed, a split view's alarm). The
data reaches the node through its own services, signed by each region's key."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from console import Clock, app_client, sign_in
from fastapi.testclient import TestClient
from national import Region, file, present_split_view, send_lead, witness_checkpoint
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipfed.exchange.messages import LeadKind
from ipfed.ledger.identity import Role
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.nodes.accounts.service import add_account
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.exchange.received import week_of
from ipfed.nodes.filings.calendar import (
    DEFAULT_CALENDAR,
    FilingKind,
    Granularity,
    Period,
    china_today,
)

NATIONAL = "国家知识产权局"
PASSWORD = "a long enough password"


@pytest.fixture
def national(offices: Any, regions: dict[str, Region], tmp_path: Path) -> NodeSettings:
    """The national node's settings, its identity and the federation's bundle on disk."""
    settings = NodeSettings(
        node_id="national",
        role="national",
        region_code="100000",
        org_name=NATIONAL,
        data_dir=tmp_path / "national",
        public_url="https://100000.ipfed.cn",
        jobs_poll_seconds=0,
        peers=[region.peer() for region in regions.values()],
    )
    key, certificate = offices.keys[NATIONAL]
    settings.identity_dir.mkdir(parents=True)
    write_private_key(settings.identity_dir / "org.key", key)
    write_certificate(settings.identity_dir / "org.pem", certificate)
    bundle = offices.bundle()
    (settings.identity_dir / "trust-bundle.json").write_text(bundle.to_json(), encoding="utf-8")
    return settings


@pytest.fixture
def regions(offices: Any) -> dict[str, Region]:
    found = {}
    for node_id, name in (("sh", "上海市知识产权局"), ("zj", "浙江省知识产权局")):
        key, certificate = offices.keys[name]
        organisation = offices.organisations[name]
        found[node_id] = Region(node_id, organisation, key, certificate)
    return found


@pytest.fixture
def client(
    engine: Engine,
    sessions: sessionmaker[Session],
    national: NodeSettings,
    clock: Clock,
    db: Session,
) -> Iterator[TestClient]:
    """The national node's app, with 孙丽 of the national office signed in."""
    add_account(
        db=db, username="sun.li", name="孙丽", org=NATIONAL, role=Role.NATIONAL, password=PASSWORD
    )
    db.commit()
    for client in app_client(national, engine, sessions, clock):
        assert sign_in(client, "sun.li", PASSWORD).status_code == 303
        yield client


WEEK = timedelta(days=7)


@pytest.fixture
def now(regions: dict[str, Region]) -> datetime:
    """When the regions sign: now, after their certificates were issued (a time taken
    when the tests were collected may be before them)."""
    return datetime.now(UTC)


def test_the_national_office_sees_the_leads_of_every_region_by_region_kind_and_week(
    client: TestClient,
    db: Session,
    national: NodeSettings,
    regions: dict[str, Region],
    now: datetime,
) -> None:
    sh, zj = regions["sh"], regions["zj"]
    send_lead(db, national, sh, kind=LeadKind.TRADEMARK, title="回力帆布鞋 仿", now=now)
    send_lead(db, national, sh, kind=LeadKind.DESIGN, title="外观近似的水杯", now=now + WEEK)
    send_lead(db, national, zj, kind=LeadKind.TRADEMARK, title="义乌小商品 仿", now=now + WEEK)
    db.commit()
    first, second = week_of(now), week_of(now + WEEK)

    home = client.get("/console")
    assert 'href="/console/national/leads"' in home.text
    page = client.get("/console/national/leads")
    assert page.status_code == 200, page.text
    assert "data-untranslated" not in page.text
    assert "<strong>3</strong>" in page.text
    for shown in (
        "回力帆布鞋 仿",
        "外观近似的水杯",
        "义乌小商品 仿",
        "上海市",
        "浙江省",
        first,
        second,
    ):
        assert shown in page.text, shown
    for by in ("region", "week"):
        assert f'src="/console/national/leads.png?by={by}"' in page.text

    zhejiang = client.get("/console/national/leads", params={"region": "330000"})
    assert "义乌小商品 仿" in zhejiang.text and "回力帆布鞋 仿" not in zhejiang.text
    designs = client.get("/console/national/leads", params={"kind": "design", "week": second})
    assert "外观近似的水杯" in designs.text and "义乌小商品 仿" not in designs.text
    assert f'src="/console/national/leads.png?by=week&amp;kind=design&amp;week={second}"' in (
        designs.text
    )

    for by in ("region", "week"):
        chart = client.get("/console/national/leads.png", params={"region": "310000", "by": by})
        assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
        assert chart.content.startswith(b"\x89PNG")
    bad = client.get("/console/national/leads", params={"kind": "rumour"})
    assert bad.status_code == 422 and "data-untranslated" not in bad.text


def test_the_national_office_sees_who_filed_who_is_late_and_the_report_with_its_charts(
    client: TestClient,
    db: Session,
    national: NodeSettings,
    regions: dict[str, Region],
    clock: Clock,
    now: datetime,
) -> None:
    monthly = FilingKind.MONTHLY_REPORT
    period = Period.of(Granularity.MONTH, china_today(now))
    due = DEFAULT_CALENDAR.due_date("310000", monthly, period)
    assert due is not None
    after_due = datetime(due.year, due.month, due.day, 12, tzinfo=UTC) + timedelta(days=3)
    on_time = file(
        db, national, regions["sh"], kind=monthly, period=str(period), leads=4, signed_at=now
    )
    late = file(
        db,
        national,
        regions["zj"],
        kind=monthly,
        period=str(period),
        leads=1,
        signed_at=now,
        received_at=after_due,
    )
    db.commit()
    clock.now = after_due + timedelta(days=7)  # the other provinces are late
    assert sign_in(client, "sun.li", PASSWORD).status_code == 303  # the old session is idle

    page = client.get("/console/national/filings")  # the newest monthly report filed
    assert page.status_code == 200, page.text
    assert "data-untranslated" not in page.text
    assert f'href="/console/national/filings/{on_time.id}"' in page.text
    assert f'href="/console/national/filings/{late.id}"' in page.text
    for standing in ("按时报送", "逾期报送", "逾期未报"):
        assert standing in page.text, standing
    query = f"kind=monthly_report&amp;period={period}"
    assert f'href="/console/national/report?{query}"' in page.text
    assert page.text.count("<tr>") == 1 + 31  # the heading, and each province once
    plans = client.get("/console/national/filings", params={"kind": "implementation_plan"})
    assert plans.status_code == 200 and on_time.id not in plans.text
    wrong = client.get("/console/national/filings", params={"period": "2026-H1"})
    assert wrong.status_code == 422 and "data-untranslated" not in wrong.text

    filing = client.get(f"/console/national/filings/{on_time.id}")
    assert filing.status_code == 200
    assert on_time.title in filing.text and "开展专项检查" in filing.text
    assert "data-untranslated" not in filing.text

    report = client.get("/console/national/report")  # the newest period filed
    assert report.status_code == 200, report.text
    assert str(period) in report.text and "data-untranslated" not in report.text
    assert "2 / 31" in report.text  # two provinces filed; every one owes it
    for chart in ("standing", "leads", "change", "marks"):
        url = f"/console/national/report/{chart}.png?{query}"
        assert url in report.text
        drawn = client.get(url.replace("&amp;", "&"))
        assert drawn.status_code == 200 and drawn.content.startswith(b"\x89PNG"), chart
    assert f'href="/filings/report?{query}&amp;format=csv"' in report.text
    csv = client.get("/filings/report", params={"period": str(period), "format": "csv"})
    assert csv.status_code == 200 and "上海市" in csv.content.decode("utf-8-sig")
    wrong = client.get(
        "/console/national/report", params={"kind": "monthly_report", "period": "2026"}
    )
    assert wrong.status_code == 422


def test_the_national_office_sees_each_log_witnessed_and_the_alarms(
    client: TestClient, db: Session, national: NodeSettings, regions: dict[str, Region]
) -> None:
    empty = client.get("/console/national/ledger")
    assert "尚未核验任何账本" in empty.text and "没有告警" in empty.text

    witness_checkpoint(db, national, regions["sh"], 5)
    witness_checkpoint(db, national, regions["zj"], 3)
    present_split_view(db, national, regions["zj"], 3)
    db.commit()
    page = client.get("/console/national/ledger")
    assert page.status_code == 200
    assert "data-untranslated" not in page.text
    for shown in ("ipfed/310000/sh", "ipfed/330000/zj", "上海市知识产权局", "账本分叉"):
        assert shown in page.text, shown
    # Each log signed by its office and cosigned by the national office, its witness.
    assert page.text.count(f'<td data-label="见证联署">{NATIONAL}</td>') == 2


def test_the_pages_are_the_national_office_s_alone(
    client: TestClient, db: Session, engine: Engine, sessions: sessionmaker[Session], clock: Clock
) -> None:
    add_account(
        db=db,
        username="wang.fang",
        name="王芳",
        org="上海市知识产权局",
        role=Role.REGIONAL,
        password=PASSWORD,
    )
    db.commit()
    client.cookies.clear()
    assert sign_in(client, "wang.fang", PASSWORD).status_code == 303
    assert "/console/national/" not in client.get("/console").text
    refused = client.get("/console/national/leads")
    assert refused.status_code == 403 and "<code>not_national_office</code>" in refused.text


def test_another_node_says_it_is_not_the_national_node(
    engine: Engine,
    sessions: sessionmaker[Session],
    settings: NodeSettings,
    clock: Clock,
    db: Session,
) -> None:
    """A national person at a regional node (its own organisation) learns where to look."""
    add_account(
        db=db,
        username="sun.li",
        name="孙丽",
        org=settings.org_name,
        role=Role.NATIONAL,
        password=PASSWORD,
    )
    db.commit()
    for client in app_client(settings, engine, sessions, clock):
        assert sign_in(client, "sun.li", PASSWORD).status_code == 303
        for page in ("leads", "filings", "report", "ledger"):
            answer = client.get(f"/console/national/{page}")
            assert answer.status_code == 200 and "本节点不是国家节点" in answer.text, page
        assert client.get("/console/national/leads.png").status_code == 404
