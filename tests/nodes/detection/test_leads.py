"""Screening stored listings: leads with anchored evidence, source tracing, the review
queue and what a confirmed lead pushes. Real database (both backends), real ledger."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.detection.screening import Screener
from ipfed.ledger.canonical import canonical_bytes
from ipfed.ledger.identity import CertificateAuthority, Organisation, Role, generate_key
from ipfed.ledger.note import SignedNote
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.detection import service
from ipfed.nodes.detection.evidence import (
    EvidenceBundle,
    EvidenceError,
    export_bundle,
    sha256_hex,
)
from ipfed.nodes.detection.models import Decision, Lead, LeadStatus, Review
from ipfed.nodes.detection.tracing import region_of, trace
from ipfed.nodes.errors import Conflict, InvalidInput
from ipfed.nodes.identity import NodeIdentity
from ipfed.nodes.ledger.embedded import EmbeddedLedger
from ipfed.nodes.ledger.service import audit
from ipfed.nodes.listings.models import Listing

ORIGIN = "ipfed/310000/sh"


def test_screening_stored_listings_makes_evidence_backed_leads(
    db: Session, leads: dict[str, Lead], identity: NodeIdentity, ledger: EmbeddedLedger
) -> None:
    assert set(leads) == {
        "S001/1587423",  # 大白兎 for 大白兔
        "S002/8815527",  # 張小泉 for 张小泉
        "S003/4410392",  # 回カ for 回力
        "S005/202020556601.1",  # someone else's patent number, unlicensed
    }
    lead = leads["S001/1587423"]
    assert lead.status is LeadStatus.SUSPECTED and lead.kind == "trademark"
    assert lead.right_id is not None and lead.evidence.ledger_position is not None
    assert any("兎" in reason for reason in lead.reasons)
    assert audit(db=db, origin=ORIGIN, bundle=identity.bundle) is None
    # screening again finds the same leads, not new ones
    screener = Screener(service.load_register(db=db), today=date(2026, 11, 21))
    listing = lead.listing
    again = service.screen_listing(db=db, screener=screener, listing=listing, ledger=ledger)
    assert again == []


def test_source_tracing_finds_the_jurisdiction(db: Session, leads: dict[str, Lead]) -> None:
    lead = leads["S001/1587423"]
    traced = trace(db=db, listing=lead.listing)
    assert traced.matched_by == "shop" and traced.uscc == "92330782MA29C7TB03"
    assert "pinduoduo:fs2024" in traced.shops
    assert [p.role for p in traced.places] == ["registered_address", "earlier_case"]
    assert traced.region_code == lead.region_code == "330782"  # 义乌市
    # where goods ship from decides before the registered address
    lead.listing.description = "发货地：浙江省温州市瑞安市"
    assert trace(db=db, listing=lead.listing).region_code == "330381"
    assert region_of("上海市浦东新区张杨路1号") == "310115"
    assert region_of("no address at all") is None


def test_evidence_bundle_verifies_offline_and_fails_when_tampered(
    db: Session, leads: dict[str, Lead], identity: NodeIdentity, ledger: EmbeddedLedger
) -> None:
    evidence = leads["S003/4410392"].evidence
    bundle = export_bundle(ledger=ledger, evidence=evidence)
    data = bundle.model_dump_json()
    signer, snapshot = EvidenceBundle.parse(data).verify(identity.bundle)
    assert signer.name == "上海市知识产权局"
    assert snapshot["listing"]["title"] == "回カ 帆布鞋 经典款"

    forged = bytearray(bundle.snapshot)
    forged[forged.index("回".encode())] ^= 1
    with pytest.raises(EvidenceError) as caught:
        bundle.model_copy(update={"snapshot": bytes(forged)}).verify(identity.bundle)
    assert caught.value.code == "tampered"

    other = leads["S001/1587423"].evidence
    with pytest.raises(EvidenceError) as caught:
        bundle.model_copy(update={"sha256": other.sha256, "snapshot": other.snapshot}).verify(
            identity.bundle
        )
    assert caught.value.code == "wrong_receipt"

    stranger = CertificateAuthority.create()
    with pytest.raises(EvidenceError):
        bundle.verify(TrustBundle(stranger.certificate, []))
    with pytest.raises(EvidenceError) as caught:
        EvidenceBundle.parse(b"{not json")
    assert caught.value.code == "malformed_bundle"


def test_review_queue_transitions_and_precision(
    db: Session, leads: dict[str, Lead], identity: NodeIdentity, ledger: EmbeddedLedger
) -> None:
    queue = service.review_queue(db=db)
    assert {lead.id for lead in queue} == {lead.id for lead in leads.values()}
    assert [lead.priority for lead in queue] == sorted(
        (lead.priority for lead in queue), reverse=True
    )

    def review(lead: Lead, decision: Decision, reason: str = "checked the listing") -> Lead:
        return service.review_lead(
            db=db,
            lead_id=lead.id,
            reviewer="审查员 王",
            decision=decision,
            reason=reason,
            ledger=ledger,
        )

    first, second, third = leads["S001/1587423"], leads["S003/4410392"], leads["S002/8815527"]
    with pytest.raises(InvalidInput):
        review(first, Decision.CONFIRM, reason="  ")
    assert review(first, Decision.REQUEST_INFO).status is LeadStatus.NEEDS_INFO
    assert first.id in {lead.id for lead in service.review_queue(db=db)}  # still waiting
    confirmed = review(first, Decision.CONFIRM, reason="兎 for 兔 on candy packaging")
    assert confirmed.status is LeadStatus.CONFIRMED and confirmed.ledger_position is not None
    with pytest.raises(Conflict):
        review(first, Decision.REJECT)
    assert review(second, Decision.REJECT, reason="parallel import").status is LeadStatus.REJECTED
    review(third, Decision.CONFIRM)
    assert first.id not in {lead.id for lead in service.review_queue(db=db)}
    assert [r.decision for r in service.reviews_of(db=db, lead_id=first.id)] == [
        Decision.REQUEST_INFO,
        Decision.CONFIRM,
    ]
    assert db.scalar(select(Review).where(Review.lead_id == second.id)).reason == "parallel import"

    figures = {p.kind: p for p in service.precision(db=db)}
    assert (figures["trademark"].confirmed, figures["trademark"].rejected) == (2, 1)
    assert figures["trademark"].precision == pytest.approx(0.667)
    assert figures["patent_marking"].open == 1 and figures["patent_marking"].precision is None
    assert audit(db=db, origin=ORIGIN, bundle=identity.bundle) is None


def test_only_confirmed_leads_are_pushed(
    db: Session, leads: dict[str, Lead], identity: NodeIdentity, ledger: EmbeddedLedger
) -> None:
    lead = leads["S001/1587423"]
    with pytest.raises(Conflict):
        service.confirmed_lead(db=db, lead_id=lead.id)
    service.review_lead(
        db=db,
        lead_id=lead.id,
        reviewer="审查员",
        decision=Decision.CONFIRM,
        reason="copycat",
        ledger=ledger,
    )
    pushed = service.confirmed_lead(db=db, lead_id=lead.id)
    assert (pushed.kind, pushed.right_id, pushed.seller) == (
        "trademark",
        "1587423",
        "义乌市副食批发商行",
    )
    assert pushed.region_code == "330782" and pushed.evidence_sha256 == lead.evidence.sha256
    assert [p.lead_id for p in service.confirmed_leads(db=db)] == [lead.id]


def test_monitoring_directories_raise_the_priority_of_matching_leads(
    db: Session, leads: dict[str, Lead], identity: NodeIdentity, ledger: EmbeddedLedger
) -> None:
    from ipfed.nodes.detection import monitoring
    from ipfed.nodes.imports.kinds import import_kind
    from ipfed.nodes.listings.schemas import ListingIn

    for key in ("S001/1587423", "S002/8815527"):  # both sold by 义乌市副食批发商行
        service.review_lead(
            db=db,
            lead_id=leads[key].id,
            reviewer="审查员",
            decision=Decision.CONFIRM,
            reason="copycat",
            ledger=ledger,
        )
    counts = monitoring.refresh(db=db)
    assert counts["key_trademarks"] == 6
    entries = {(e.directory, e.subject): e for e in service.monitoring_entries(db=db)}
    seller = entries[("high_risk_enterprises", "义乌市副食批发商行")]
    # a decided case in 2022 and two confirmed leads since: repeat and malicious
    assert seller.detail["repeat"] and seller.detail["malicious"] and seller.detail["events"] == 3
    assert seller.weight == pytest.approx(monitoring.REPEAT + monitoring.MALICIOUS)
    assert ("most_infringed_rights", "8815527") in entries  # the 2022 case and a lead

    import_kind("listings").add(
        db,
        [
            ListingIn(
                external_id="S200",
                source="taobao",
                title="大白兎 奶糖 1kg",
                seller="义乌市副食批发商行",
                nice_class=30,
            ),
            ListingIn(
                external_id="S201",
                source="taobao",
                title="大白兎 奶糖 1kg",
                seller="某新店",
                nice_class=30,
            ),
        ],
    )
    screener = Screener(service.load_register(db=db), today=date(2026, 11, 21))
    boosts = service.priority_boosts(db=db)
    new = {}
    for listing in db.scalars(select(Listing).where(Listing.external_id.in_(["S200", "S201"]))):
        [lead] = service.screen_listing(
            db=db,
            screener=screener,
            listing=listing,
            ledger=ledger,
            boosts=boosts,
        )
        new[listing.external_id] = lead
    assert new["S200"].score == new["S201"].score
    assert new["S200"].priority > new["S201"].priority > new["S201"].score  # key trademark too
    assert service.review_queue(db=db)[0].id == new["S200"].id


def test_a_design_lead_carries_the_image_bytes_in_its_evidence(
    db: Session, sample_data: None, identity: NodeIdentity, ledger: EmbeddedLedger, tmp_path: Path
) -> None:
    from PIL import Image, ImageDraw

    from ipfed.nodes.detection.images import Images
    from ipfed.nodes.imports.kinds import import_kind
    from ipfed.nodes.listings.schemas import ListingIn
    from ipfed.nodes.rights.schemas import PatentIn

    drawing = Image.new("RGB", (300, 300), "white")
    ImageDraw.Draw(drawing).rounded_rectangle(
        (90, 30, 210, 270), radius=40, outline="black", width=5
    )
    ImageDraw.Draw(drawing).ellipse((135, 200, 165, 230), fill="black")
    drawing.save(tmp_path / "drawing.png")
    drawing.resize((200, 200)).save(tmp_path / "photo.jpg", quality=80)
    assert not import_kind("patents").add(
        db,
        [
            PatentIn(
                number="201930778899.3",
                kind="design",
                title="蓝牙音箱",
                holder="惠州市声悦电子有限公司",
                locarno_class="14-01",
                design_images="drawing.png",
            )
        ],
    )
    assert not import_kind("listings").add(
        db,
        [
            ListingIn(
                external_id="D1",
                source="taobao",
                title="圆柱 蓝牙音箱",
                seller="数码配件城",
                nice_class=9,
                image_urls="photo.jpg;missing.jpg",
            )
        ],
    )
    images = Images(tmp_path)
    screener = Screener(service.load_register(db=db), today=date(2026, 11, 21), images=images)
    listing = db.scalar(select(Listing).where(Listing.external_id == "D1"))
    [lead] = service.screen_listing(
        db=db, screener=screener, listing=listing, ledger=ledger, images=images
    )
    assert (lead.kind, lead.right_ref) == ("design", "201930778899.3")
    bundle = export_bundle(ledger=ledger, evidence=lead.evidence)
    _, snapshot = bundle.verify(identity.bundle)
    assert [i.uri for i in bundle.images] == ["photo.jpg"]
    assert bundle.images[0].data == (tmp_path / "photo.jpg").read_bytes()
    assert snapshot["unreadable_images"] == ["missing.jpg"]
    swapped = bundle.images[0].model_copy(update={"data": (tmp_path / "drawing.png").read_bytes()})
    with pytest.raises(EvidenceError, match="altered"):
        bundle.model_copy(update={"images": [swapped]}).verify(identity.bundle)


def test_the_review_queue_continues_after_a_lead(db: Session, leads: dict[str, Lead]) -> None:
    first, second, third = list(leads.values())[:3]
    first.priority = second.priority = third.priority  # ties: the lead id orders them
    db.flush()
    whole = [lead.id for lead in service.review_queue(db=db)]
    walked: list[str] = []
    while page := service.review_queue(db=db, after=walked[-1] if walked else None, limit=2):
        walked += [lead.id for lead in page]
    assert walked == whole and len(whole) == len(leads)


def test_evidence_whose_checkpoint_another_office_signed_is_refused(db: Session) -> None:
    authority = CertificateAuthority.create()
    offices = {}
    for name, region in (("上海市知识产权局", "310000"), ("浙江省知识产权局", "330000")):
        key = generate_key()
        offices[region] = (
            key,
            authority.issue(Organisation(name, Role.REGIONAL, region), key.public_key()),
        )
    trust = TrustBundle(authority.certificate, [c for _, c in offices.values()])
    ledger = EmbeddedLedger(db=db, origin=ORIGIN, identity=NodeIdentity(*offices["310000"], trust))
    snapshot = canonical_bytes({"images": [], "source": "https://example.com/item/1"})
    digest = sha256_hex(snapshot)
    receipt = ledger.receipt(ledger.anchor(digest).position)
    bundle = EvidenceBundle(sha256=digest, snapshot=snapshot, images=[], receipt=receipt)
    assert bundle.verify(trust)[0].name == "上海市知识产权局"

    text = SignedNote.parse(receipt.checkpoint).text
    zhejiang_only = SignedNote(text, ()).signed_by(*offices["330000"])
    forged = receipt.model_copy(update={"checkpoint": str(zhejiang_only)})
    with pytest.raises(EvidenceError) as caught:
        bundle.model_copy(update={"receipt": forged}).verify(trust)
    assert caught.value.code == "not_the_log_owner"
