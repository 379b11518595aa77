"""The figures of a filing, computed on known data, equal the figures counted by hand."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from cryptography import x509
from sqlalchemy.orm import Session

from ipfed.exchange.envelope import seal
from ipfed.exchange.messages import CrossBorderAlert, CrossBorderRisk, LeadKind
from ipfed.ledger.identity import Organisation, PrivateKey, Role
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.adjudications.models import Adjudication, Decision
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import new_id
from ipfed.nodes.detection.models import Evidence, Lead, LeadStatus
from ipfed.nodes.exchange.models import OutboxEnvelope
from ipfed.nodes.fairs.models import Exhibit, ExhibitCheck, Exhibitor, Fair
from ipfed.nodes.filings.calendar import FilingKind, Period
from ipfed.nodes.filings.service import create_filing
from ipfed.nodes.filings.statistics import (
    Statistics,
    alert_figures,
    collect,
    empty_alerts,
    empty_leads,
    flatten,
    lead_figures,
    lead_figures_by,
)
from ipfed.nodes.listings.models import Channel, Listing
from ipfed.nodes.marks.models import (
    BizStep,
    CloneAlert,
    CloneAlertKind,
    Mark,
    MarkEvent,
)
from ipfed.nodes.rights.models import Patent, RightStatus, Trademark
from ipfed.registry.lifecycle import MarkStatus

MARCH = Period.parse("2024-03")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_lead_figures_equal_a_count_by_hand() -> None:
    found = utc("2024-03-04T09:00:00+08:00")
    leads = pd.DataFrame(
        {
            "lead_id": ["a", "b", "c", "d", "e"],
            "kind": ["trademark", "trademark", "design", "patent_marking", "trademark"],
            "source": ["淘宝", "京东", "淘宝", "广交会", "京东"],
            "status": ["confirmed", "rejected", "confirmed", "suspected", "suspected"],
            "found_at": [found] * 5,
            "reviewed_at": [
                found + timedelta(minutes=30),
                found + timedelta(minutes=90),
                found + timedelta(minutes=240),
                pd.NaT,
                pd.NaT,
            ],
        }
    ).astype({"found_at": "datetime64[us, UTC]", "reviewed_at": "datetime64[us, UTC]"})
    figures = lead_figures(leads)
    assert figures.total == 5
    assert figures.by_kind == {"design": 1, "patent_marking": 1, "trademark": 3}
    assert figures.by_source == {"京东": 2, "广交会": 1, "淘宝": 2}
    assert figures.by_status == {"confirmed": 2, "rejected": 1, "suspected": 2}
    assert figures.reviewed == 3
    assert figures.review_minutes_median == 90
    assert figures.review_minutes_p90 == 210  # 90 + 0.8 * (240 - 90)


def test_figures_by_group_equal_the_figures_of_each_group() -> None:
    rng = np.random.default_rng(1)
    found = pd.Timestamp("2024-03-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 86400 * 20, 400), unit="s"
    )
    reviewed = found + pd.to_timedelta(rng.integers(60, 86400, 400), unit="s")
    status = np.array(["suspected", "confirmed", "rejected"])[rng.integers(0, 3, 400)]
    leads = pd.DataFrame(
        {
            "lead_id": [str(i) for i in range(400)],
            "region": np.array(["310000", "330000", "440000"])[rng.integers(0, 3, 400)],
            "kind": np.array(["trademark", "design"])[rng.integers(0, 2, 400)],
            "source": np.array(["淘宝", "京东", "展会"])[rng.integers(0, 3, 400)],
            "status": status,
            "found_at": found,
            "reviewed_at": pd.Series(reviewed).where(status != "suspected"),
        }
    )
    grouped = lead_figures_by(leads, ["region"])
    assert sorted(grouped) == [("310000",), ("330000",), ("440000",)]
    for (region,), figures in grouped.items():
        assert figures == lead_figures(leads[leads["region"] == region])
    assert sum(f.total for f in grouped.values()) == 400


def test_no_leads_and_no_alerts_are_zeros() -> None:
    assert lead_figures(empty_leads()).model_dump() == {
        "total": 0,
        "by_kind": {},
        "by_source": {},
        "by_status": {},
        "reviewed": 0,
        "review_minutes_median": None,
        "review_minutes_p90": None,
    }
    assert alert_figures(empty_alerts()).total == 0


def test_alert_figures_count_each_country_concerned() -> None:
    alerts = pd.DataFrame(
        {
            "alert_id": ["a", "b", "c"],
            "risk": ["foreign_related_lead", "export_risk", "foreign_related_lead"],
            "countries": [["US", "DE"], ["US"], []],
            "created_at": [utc("2024-03-02T00:00:00+00:00")] * 3,
        }
    )
    figures = alert_figures(alerts)
    assert figures.total == 3
    assert figures.by_risk == {"export_risk": 1, "foreign_related_lead": 2}
    assert figures.by_country == {"DE": 1, "US": 2}


@pytest.fixture
def march(db: Session) -> None:
    """Known rows in and around March 2024 (China time)."""
    trademark = Trademark(
        number="4410392", name="回力", holder="上海回力鞋业有限公司", status=RightStatus.GRANTED
    )
    design = Patent(
        number="ZL202130012345.6", name="运动鞋", holder="某公司", status=RightStatus.GRANTED
    )
    db.add_all([trademark, design])
    db.flush()
    for i, (right, decision, decided) in enumerate(
        [
            (trademark, Decision.INFRINGEMENT, date(2024, 3, 1)),
            (trademark, Decision.SETTLED, date(2024, 3, 31)),
            (design, Decision.INFRINGEMENT, date(2024, 3, 15)),
            (design, Decision.INFRINGEMENT, date(2024, 2, 29)),  # February
            (trademark, Decision.WITHDRAWN, date(2024, 4, 1)),  # April
        ]
    ):
        db.add(
            Adjudication(
                case_no=f"沪知裁字〔2024〕{i}号",
                right_id=right.id,
                defendant="某商行",
                decision=decision,
                decided_on=decided,
                authority="上海市知识产权局",
            )
        )
    marks = [
        Mark(
            right_id=trademark.id,
            issuer_key_id="0" * 64,
            holder="上海回力鞋业有限公司",
            holder_uscc="91310115MA1FL3QX0F",
            valid_from=date(2024, 1, 1),
            valid_until=date(2029, 1, 1),
            status=MarkStatus.ACTIVE,
            status_index=i,
            token="t",
            created_at=created,
        )
        for i, created in enumerate(
            [
                utc("2024-03-05T10:00:00+08:00"),
                utc("2024-03-01T00:30:00+08:00"),  # 29 February in UTC, March in China
                utc("2024-02-29T23:30:00+08:00"),  # February
            ]
        )
    ]
    db.add_all(marks)
    db.flush()
    events = [
        (BizStep.COMMISSIONING, "active", "2024-03-05T10:00:00+08:00"),
        (BizStep.RETAIL_SELLING, None, "2024-03-06T10:00:00+08:00"),
        (BizStep.RETAIL_SELLING, None, "2024-03-07T10:00:00+08:00"),
        (BizStep.RETAIL_SELLING, None, "2024-03-31T23:59:00+08:00"),
        (BizStep.INSPECTING, None, "2024-03-10T10:00:00+08:00"),
        (BizStep.SUSPENDING, "non_sellable_other", "2024-03-11T10:00:00+08:00"),
        (BizStep.DECOMMISSIONING, "inactive", "2024-03-12T10:00:00+08:00"),
        (BizStep.DECOMMISSIONING, "expired", "2024-03-13T10:00:00+08:00"),
        (BizStep.RETAIL_SELLING, None, "2024-04-01T00:00:00+08:00"),  # April
    ]
    stored = [
        MarkEvent(
            mark_id=marks[0].id,
            biz_step=step,
            action="OBSERVE",
            disposition=disposition,
            event_time=utc(when),
            org="某电商平台",
            detail={},
            ledger_position=i,
        )
        for i, (step, disposition, when) in enumerate(events)
    ]
    db.add_all(stored)
    db.flush()
    db.add(
        CloneAlert(
            mark_id=marks[0].id,
            unit_serial="AAAA",
            kind=CloneAlertKind.MULTIPLE_SELLERS,
            reason="two sellers",
            first_event_id=stored[1].id,
            second_event_id=stored[2].id,
            organisations=1,
            created_at=utc("2024-03-07T10:00:00+08:00"),
        )
    )
    fair = Fair(
        name="中国国际进口博览会",
        organizer="某展会",
        venue="国家会展中心",
        region_code="310000",
        category="消费品",
        starts_on=date(2024, 3, 20),
        ends_on=date(2024, 3, 25),
    )
    db.add(fair)
    db.flush()
    exhibitor = Exhibitor(fair_id=fair.id, name="某公司", uscc="91310115MA1FL3QX0F")
    db.add(exhibitor)
    db.flush()
    for check, created in [
        (ExhibitCheck.CLEARED, "2024-03-18T10:00:00+08:00"),
        (ExhibitCheck.FLAGGED, "2024-03-19T10:00:00+08:00"),
        (ExhibitCheck.CLEARED, "2024-03-19T11:00:00+08:00"),
        (ExhibitCheck.FLAGGED, "2024-04-02T10:00:00+08:00"),  # April
    ]:
        db.add(
            Exhibit(
                fair_id=fair.id,
                exhibitor_id=exhibitor.id,
                name="运动鞋",
                check=check,
                flags=[],
                created_at=utc(created),
            )
        )
    listings = [
        Listing(
            channel=channel,
            source=source,
            external_id=str(i),
            title="回力帆布鞋",
            seller="某商行",
            image_urls=[],
            captured_at=utc(captured),
        )
        for i, (channel, source, captured) in enumerate(
            [
                (Channel.ONLINE, "某电商平台", "2024-03-02T10:00:00+08:00"),
                (Channel.ONLINE, "某电商平台", "2024-03-03T10:00:00+08:00"),
                (Channel.FAIR, "中国国际进口博览会", "2024-03-20T10:00:00+08:00"),
                (Channel.ONLINE, "某电商平台", "2024-02-03T10:00:00+08:00"),  # February
            ]
        )
    ]
    db.add_all(listings)
    db.flush()
    found = utc("2024-03-04T09:00:00+08:00")
    for i, (listing, kind, status, minutes) in enumerate(
        [
            (listings[0], LeadKind.TRADEMARK, LeadStatus.CONFIRMED, 30),
            (listings[1], LeadKind.TRADEMARK, LeadStatus.REJECTED, 90),
            (listings[1], LeadKind.PATENT_MARKING, LeadStatus.CONFIRMED, 240),
            (listings[2], LeadKind.DESIGN, LeadStatus.NEEDS_INFO, 10),  # not yet decided
            (listings[2], LeadKind.INVENTION, LeadStatus.SUSPECTED, None),
        ]
    ):
        evidence = Evidence(
            listing_id=listing.id,
            sha256=f"{i:064x}",
            snapshot=b"{}",
            captured_at=found,
        )
        db.add(evidence)
        db.flush()
        db.add(
            Lead(
                listing_id=listing.id,
                kind=kind,
                right_ref="4410392",
                score=0.9,
                priority=0.9,
                reasons=["近似商标"],
                status=status,
                evidence_id=evidence.id,
                decided_at=found + timedelta(minutes=minutes) if minutes else None,
                created_at=found,
            )
        )
    db.flush()


@pytest.fixture
def alerts(db: Session, federation: tuple[TrustBundle, PrivateKey, x509.Certificate]) -> None:
    """Cross-border alerts this node sent in March, and one in April."""
    _, key, certificate = federation
    office = Organisation("上海市知识产权局", Role.REGIONAL, "310000")
    centre = Organisation("海外知识产权纠纷应对指导中心", Role.NATIONAL, "100000")
    for risk, countries, when in [
        (CrossBorderRisk.EXPORT_RISK, ["US", "DE"], "2024-03-05T10:00:00+08:00"),
        (CrossBorderRisk.FOREIGN_RELATED_LEAD, ["US"], "2024-03-06T10:00:00+08:00"),
        (CrossBorderRisk.EXPORT_RISK, ["JP"], "2024-04-06T10:00:00+08:00"),  # April
    ]:
        alert = CrossBorderAlert(
            alert_id=new_id(),
            risk=risk,
            region_code="310000",
            summary="出口风险",
            countries=countries,
        )
        envelope = seal(
            alert,
            recipients=[centre],
            key=key,
            certificate=certificate,
            sender=office,
            now=utc(when),
        )
        db.add(
            OutboxEnvelope(
                id=envelope.id,
                type=envelope.type,
                subject=alert.subject,
                recipients=envelope.recipients,
                data=envelope.to_bytes(),
                created_at=utc(when),
            )
        )
    db.flush()


@pytest.mark.usefixtures("march", "alerts")
def test_figures_from_the_node_equal_a_count_by_hand(db: Session) -> None:
    start, end = MARCH.window()
    figures = collect(db=db, start=start, end=end)
    assert figures.cases.model_dump() == {
        "total": 3,
        "by_right_kind": {"patent": 1, "trademark": 2},
        "by_decision": {"infringement": 2, "settled": 1},
    }
    assert figures.marks.model_dump() == {
        "issued": 2,
        "verified": 4,
        "suspended": 1,
        "revoked": 1,
        "expired": 1,
        "clone_alerts": 1,
    }
    assert figures.exhibits.model_dump() == {"registered": 3, "flagged": 1}
    assert figures.listings.model_dump() == {
        "screened": 3,
        "by_channel": {"fair": 1, "online": 2},
    }
    assert figures.leads.model_dump() == {
        "total": 5,
        "by_kind": {"design": 1, "invention": 1, "patent_marking": 1, "trademark": 2},
        "by_source": {"中国国际进口博览会": 2, "某电商平台": 3},
        "by_status": {"confirmed": 2, "needs_info": 1, "rejected": 1, "suspected": 1},
        "reviewed": 3,
        "review_minutes_median": 90,
        "review_minutes_p90": 210,
    }
    assert figures.cross_border.model_dump() == {
        "total": 2,
        "by_risk": {"export_risk": 1, "foreign_related_lead": 1},
        "by_country": {"DE": 1, "US": 2},
    }


@pytest.mark.usefixtures("march")
def test_a_draft_carries_the_figures_of_its_period(db: Session, office: NodeSettings) -> None:
    monthly = create_filing(
        db=db, settings=office, kind=FilingKind.MONTHLY_REPORT, period="2024-03"
    )
    assert Statistics.model_validate(monthly.statistics).marks.verified == 4
    february = create_filing(
        db=db, settings=office, kind=FilingKind.MONTHLY_REPORT, period="2024-02"
    )
    assert flatten(Statistics.model_validate(february.statistics))["cases.total"] == 1
    # A plan's figures are the year before's: its baseline.
    plan = create_filing(db=db, settings=office, kind=FilingKind.IMPLEMENTATION_PLAN, period="2025")
    assert Statistics.model_validate(plan.statistics).cases.total == 5
