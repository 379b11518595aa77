"""Every routing rule of the work plan, one test each."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from ulid import ULID

from ipfed.exchange.directory import Directory
from ipfed.exchange.errors import Unroutable
from ipfed.exchange.messages import (
    Body,
    ClueTransfer,
    CrossBorderAlert,
    CrossBorderRisk,
    ExhibitAlert,
    FilingReceipt,
    FilingSubmission,
    Lead,
    LeadFeedback,
    LeadKind,
    LeadOutcome,
    LeadPush,
    LeadRecord,
    MarkStatusChange,
    MessageType,
)
from ipfed.exchange.routing import RULES, route
from ipfed.ledger.identity import Organisation, Role

NATIONAL = "国家知识产权局"
SH = "上海市知识产权局"
ZJ = "浙江省知识产权局"
SH_ENFORCEMENT = "上海市市场监督管理局"
XUHUI_ENFORCEMENT = "徐汇区市场监督管理局"
ZJ_ENFORCEMENT = "浙江省市场监督管理局"
SH_CENTRE = "中国（上海）知识产权保护中心"
OVERSEAS = "国家海外知识产权纠纷应对指导中心"
OVERSEAS_SH = "国家海外知识产权纠纷应对指导中心上海分中心"
HOLDER = "上海回力鞋业有限公司"
FAIR = "中国国际进口博览局"


def lead(kind: LeadKind = LeadKind.TRADEMARK, **changes: Any) -> Lead:
    fields: dict[str, Any] = {
        "lead_id": str(ULID()),
        "kind": kind,
        "right_id": "4410392",
        "right_holder": HOLDER,
        "score": Decimal("0.9"),
        "reasons": ["look-alike name"],
        "seller": "上海黄浦鞋业贸易有限公司",
        "jurisdiction": "310115",  # Pudong: no district authority of its own here
        "evidence_sha256": "cd" * 32,
    }
    return Lead(**(fields | changes))


def routed(
    offices: Any, body: Body, sender: str = ZJ, directory: Directory | None = None
) -> dict[MessageType, set[str]]:
    dispatches = route(
        body, offices.organisations[sender], directory or Directory(offices.organisations.values())
    )
    return {d.body.type: {o.name for o in d.recipients} for d in dispatches}


@pytest.mark.parametrize("kind", [LeadKind.INVENTION, LeadKind.DESIGN])
def test_patent_infringement_leads_go_to_the_assistance_centre_and_the_rights_holder(
    offices: Any, kind: LeadKind
) -> None:
    assert routed(offices, LeadPush(lead=lead(kind)))[MessageType.LEAD_PUSH] == {SH_CENTRE, HOLDER}


@pytest.mark.parametrize("kind", [LeadKind.TRADEMARK, LeadKind.PATENT_MARKING])
def test_trademark_and_counterfeit_patent_leads_go_to_the_enforcement_with_jurisdiction(
    offices: Any, kind: LeadKind
) -> None:
    assert routed(offices, LeadPush(lead=lead(kind)))[MessageType.LEAD_PUSH] == {SH_ENFORCEMENT}
    # Source tracing placed the seller in Xuhui, which has its own authority.
    in_xuhui = LeadPush(lead=lead(kind, jurisdiction="310104"))
    assert routed(offices, in_xuhui)[MessageType.LEAD_PUSH] == {XUHUI_ENFORCEMENT}
    in_zhejiang = LeadPush(lead=lead(kind, jurisdiction="330782"))
    assert routed(offices, in_zhejiang, sender=SH)[MessageType.LEAD_PUSH] == {ZJ_ENFORCEMENT}


def test_leads_found_by_a_regional_node_are_also_recorded_at_the_national_node(
    offices: Any,
) -> None:
    push = LeadPush(lead=lead())
    dispatches = route(push, offices.organisations[ZJ], Directory(offices.organisations.values()))
    by_type = {d.body.type: d for d in dispatches}
    assert set(by_type) == {MessageType.LEAD_PUSH, MessageType.LEAD_RECORD}
    record = by_type[MessageType.LEAD_RECORD]
    assert [o.name for o in record.recipients] == [NATIONAL]
    assert isinstance(record.body, LeadRecord)
    assert record.body.lead == push.lead and record.body.pushed_to == [SH_ENFORCEMENT]
    # The national office's own leads are already on its record.
    assert set(routed(offices, push, sender=NATIONAL)) == {MessageType.LEAD_PUSH}


def test_foreign_related_leads_also_go_to_the_overseas_dispute_response_centre(
    offices: Any,
) -> None:
    foreign = routed(offices, LeadPush(lead=lead(foreign_related=True)))
    assert foreign[MessageType.CROSS_BORDER_ALERT] == {OVERSEAS, OVERSEAS_SH}
    assert foreign[MessageType.LEAD_PUSH] == {SH_ENFORCEMENT}
    assert foreign[MessageType.LEAD_RECORD] == {NATIONAL}  # the national node has it as a record
    assert MessageType.CROSS_BORDER_ALERT not in routed(offices, LeadPush(lead=lead()))


def test_cross_border_alerts_go_to_the_overseas_centre_and_its_sub_centre(offices: Any) -> None:
    alert = CrossBorderAlert(
        alert_id=str(ULID()),
        risk=CrossBorderRisk.EXPORT_RISK,
        region_code="310000",
        summary="export shoes meet a registered mark in DE",
        countries=["DE"],
        product="帆布鞋",
    )
    assert routed(offices, alert, sender=SH) == {
        MessageType.CROSS_BORDER_ALERT: {OVERSEAS, OVERSEAS_SH, NATIONAL}
    }


def test_clues_go_to_the_office_of_the_province_with_jurisdiction(offices: Any) -> None:
    clue = ClueTransfer(lead=lead(), to_region="310000", reason="the seller is in Shanghai")
    assert routed(offices, clue) == {MessageType.CLUE_TRANSFER: {SH, NATIONAL}}


def test_feedback_goes_back_to_whoever_pushed_the_lead(offices: Any) -> None:
    feedback = LeadFeedback(
        lead_id=str(ULID()),
        found_by=ZJ,
        handled_by=SH_ENFORCEMENT,
        outcome=LeadOutcome.CASE_OPENED,
        handled_at=datetime.now(UTC),
    )
    assert routed(offices, feedback, sender=SH) == {MessageType.LEAD_FEEDBACK: {ZJ, NATIONAL}}


def test_filings_go_up_and_receipts_come_back(offices: Any) -> None:
    filing = FilingSubmission(
        filing_id=str(ULID()),
        kind="annual_plan",
        period="2026",
        title="2026年知识产权行政保护工作方案",
        document_sha256="ef" * 32,
        content={"items": 12},
    )
    assert routed(offices, filing, sender=SH) == {MessageType.FILING_SUBMISSION: {NATIONAL}}
    receipt = FilingReceipt(filing_id=filing.filing_id, submitted_by=SH, accepted=True)
    assert routed(offices, receipt, sender=NATIONAL) == {MessageType.FILING_RECEIPT: {SH}}


def test_mark_status_changes_go_to_every_office(offices: Any) -> None:
    change = MarkStatusChange(mark_id="M-1", status="suspended", effective_at=datetime.now(UTC))
    assert routed(offices, change, sender=SH) == {MessageType.MARK_STATUS: {NATIONAL, ZJ}}


def test_exhibit_alerts_go_to_the_organiser_and_the_local_enforcement(offices: Any) -> None:
    alert = ExhibitAlert(
        alert_id=str(ULID()),
        fair="进博会",
        organiser=FAIR,
        region_code="310000",
        booth="5.1A-01",
        exhibit="回カ 帆布鞋",
        right_id="4410392",
        reason="the mark on the exhibit is not the holder's",
    )
    assert routed(offices, alert, sender=SH) == {
        MessageType.EXHIBIT_ALERT: {FAIR, SH_ENFORCEMENT, NATIONAL}
    }


def test_the_national_node_aggregates_every_type(offices: Any) -> None:
    aggregate = RULES[-1]
    assert aggregate.types == frozenset(MessageType) - {MessageType.LEAD_PUSH}
    # A pushed lead reaches it too, as its lead record (above).


def test_without_an_authority_there_the_office_of_the_province_receives_the_lead(
    offices: Any,
) -> None:
    directory = Directory(
        o for o in offices.organisations.values() if o.role is not Role.ENFORCEMENT
    )
    push = LeadPush(lead=lead())
    assert routed(offices, push, directory=directory)[MessageType.LEAD_PUSH] == {SH}
    anhui = LeadPush(lead=lead(jurisdiction="340100"))  # no Anhui office in this federation
    assert routed(offices, anhui, directory=directory)[MessageType.LEAD_PUSH] == {NATIONAL}


def test_nobody_to_send_to_is_unroutable(offices: Any) -> None:
    national = offices.organisations[NATIONAL]
    directory = Directory([national])
    change = MarkStatusChange(mark_id="M-1", status="revoked", effective_at=datetime.now(UTC))
    with pytest.raises(Unroutable):
        route(change, national, directory)


def test_the_sender_never_receives_its_own_message(offices: Any) -> None:
    change = MarkStatusChange(mark_id="M-2", status="revoked", effective_at=datetime.now(UTC))
    for sender in (SH, NATIONAL):
        recipients = set().union(*routed(offices, change, sender=sender).values())
        assert sender not in recipients
        assert isinstance(offices.organisations[sender], Organisation)
