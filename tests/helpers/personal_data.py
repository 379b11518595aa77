"""A Shanghai node with personal data of every kind: the sample's listings and
participants, leads found on the listings (one confirmed on the ledger), and scans of
a mark, one naming the seller it was offered by."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.detection.screening import Screener
from ipfed.exchange.envelope import seal
from ipfed.exchange.messages import LeadPush
from ipfed.ledger.identity import Organisation, Role
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.detection import service as detection
from ipfed.nodes.detection.models import Decision, Lead
from ipfed.nodes.detection.push import lead_message
from ipfed.nodes.exchange.models import InboxEnvelope, InboxState
from ipfed.nodes.exchange.service import Outgoing, queue
from ipfed.nodes.fairs.models import Exhibitor, Fair
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.marks.issuing import issue_mark, issue_units
from ipfed.nodes.marks.models import MarkEvent
from ipfed.nodes.marks.scans import Reporter, record_scan
from ipfed.nodes.marks.schemas import MarkIn, ScanIn
from ipfed.nodes.rights.models import Trademark

# 义乌市副食批发商行: an individual business (credit code 92...), a natural person's.
YIWU = "92330782MA29C7TB03"
YIWU_NAME = "义乌市副食批发商行"
HOLDER = "91310115MA1FL3QX0F"
TAOBAO = Reporter("淘宝", Role.PLATFORM, "ipfed_taobao")


@dataclass
class World:
    listings: dict[str, Listing]  # by external id
    leads: dict[str, Lead]  # by listing/right
    confirmed: Lead
    scans: dict[str, MarkEvent]  # "yiwu" and "holder" name sellers; "street" a place
    # Lead pushes as sent and as received, by listing: "S001" names Yiwu, "S003" another.
    sent: dict[str, str]
    received: dict[str, int]


def build_world(db: Session, office: NodeSettings) -> World:
    """The node's data, after the sample was imported into ``db``."""
    ledger = node_ledger(db=db, settings=office)
    screener = Screener(detection.load_register(db=db), today=date(2026, 11, 21))
    listings = {lst.external_id or "": lst for lst in db.scalars(select(Listing))}
    leads = {}
    for external_id, listing in sorted(listings.items()):
        for lead in detection.screen_listing(
            db=db, screener=screener, listing=listing, ledger=ledger
        ):
            leads[f"{external_id}/{lead.right_ref}"] = lead
    confirmed = detection.review_lead(
        db=db,
        lead_id=leads["S003/4410392"].id,
        reviewer="王审核",
        decision=Decision.CONFIRM,
        reason="回カ imitates 回力",
        ledger=ledger,
    )
    right = db.scalars(select(Trademark).where(Trademark.number == "4410392")).one()
    mark = issue_mark(
        db=db,
        settings=office,
        request=MarkIn.model_validate({"right_id": right.id, "holder_uscc": HOLDER}),
        today=datetime.now(UTC).date(),
    )
    _, (unit, other) = issue_units(
        db=db, settings=office, mark=mark, batch_number="B1", quantity=2, by="上海回力鞋业有限公司"
    )
    scans = {}
    for name, token, fields in (
        ("yiwu", unit.token, {"place": "义乌国际商贸城一区 A-12", "seller_uscc": YIWU}),
        ("street", other.token, {"place": "南京东路 100 号", "latitude": 31.2, "longitude": 121.5}),
        # The Yiwu unit offered by another seller too: a clone alert names both.
        ("holder", unit.token, {"seller_uscc": HOLDER}),
    ):
        scan = ScanIn.model_validate({"token": token, "biz_step": "retail_selling", **fields})
        result = record_scan(db=db, settings=office, scan=scan, by=TAOBAO)
        scans[name] = db.get_one(MarkEvent, result.event_id)
    assert [a.kind for a in result.alerts] == ["multiple_sellers"]
    fair = Fair(
        name="2026 义乌小商品博览会",
        organizer="中国国际进口博览局",
        venue="义乌国际博览中心",
        region_code="330782",
        category="daily goods",
        starts_on=date(2026, 10, 20),
        ends_on=date(2026, 10, 23),
        exhibitors=[
            Exhibitor(name=YIWU_NAME, uscc=YIWU, booth="A-12"),
            Exhibitor(name="上海黄浦鞋业贸易有限公司", uscc="91310104MA1G5R2N0T", booth="B-3"),
        ],
    )
    db.add(fair)
    sent, received = {}, {}
    identity = node_identity(office)
    office_org = Organisation(office.org_name, Role.REGIONAL, office.region_code)
    national = Organisation("国家知识产权局", Role.NATIONAL, "100000")
    for n, key in enumerate(("S001/1587423", "S003/4410392"), start=1):
        body = LeadPush(lead=lead_message(leads[key], holder=None, home_region="310000"))
        envelope = seal(
            body,
            recipients=[national],
            key=identity.key,
            certificate=identity.certificate,
            sender=office_org,
            now=datetime.now(UTC),
        )
        outgoing = Outgoing(envelope, body.subject, ("national",))
        queue(db=db, outgoing=[outgoing], now=envelope.created_at)
        sent[key[:4]] = envelope.id
        inbox = InboxEnvelope(  # as a peer's node stores it on arrival
            peer="zj",
            seq=n,
            envelope_id=envelope.id,
            type=envelope.type,
            subject=body.subject,
            sender=envelope.sender,
            data=envelope.to_bytes(),
            state=InboxState.ACCEPTED,
        )
        db.add(inbox)
        db.flush()
        received[key[:4]] = inbox.id
    db.commit()
    return World(listings, leads, confirmed, scans, sent, received)
