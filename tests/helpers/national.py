"""What reaches the national node from the regions, made through the national node's
own services: a region's signed filing received, a lead record taken in from a
region's link, a region's checkpoint witnessed, and a split view raising an alarm.
Each region signs with its own key, as it would before sending."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cryptography import x509
from sqlalchemy.orm import Session

from ipfed.exchange.envelope import seal
from ipfed.exchange.messages import Lead, LeadKind, LeadRecord
from ipfed.exchange.transport import AckStatus, Delivery
from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.identity import Organisation, PrivateKey
from ipfed.ledger.note import SignedNote
from ipfed.ledger.witness import SplitView
from ipfed.nodes.config import NodeRole, NodeSettings, Peer
from ipfed.nodes.database.core import new_id
from ipfed.nodes.exchange.handlers import Handlers
from ipfed.nodes.exchange.inbox import receive
from ipfed.nodes.exchange.models import PeerLink
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.filings.calendar import FilingKind
from ipfed.nodes.filings.document import FilingDocument, SignedFiling
from ipfed.nodes.filings.models import Filing
from ipfed.nodes.filings.receiving import receive_filing
from ipfed.nodes.filings.schemas import SECTIONS
from ipfed.nodes.filings.statistics import Statistics
from ipfed.nodes.identity import node_identity
from ipfed.nodes.witness import service as witness


@dataclass(frozen=True)
class Region:
    """A regional office as the national node sees it: its node id and its identity."""

    node_id: str
    organisation: Organisation
    key: PrivateKey
    certificate: x509.Certificate

    @property
    def origin(self) -> str:
        return f"ipfed/{self.organisation.region_code}/{self.node_id}"

    def peer(self) -> Peer:
        return peer(self.node_id, self.organisation)


def peer(node_id: str, office: Organisation) -> Peer:
    """A region's node as the national node's settings name it (the exchange takes in a
    region's envelopes only over the link of the region's node)."""
    return Peer(
        node_id=node_id,
        role=NodeRole.REGIONAL,
        region_code=office.region_code,
        api_url="http://127.0.0.1:9",  # never called: nothing here reaches a peer
        exchange_endpoint="tcp://127.0.0.1:9",
    )


def file(
    db: Session,
    national: NodeSettings,
    region: Region,
    *,
    kind: FilingKind,
    period: str,
    leads: int,
    signed_at: datetime,
    received_at: datetime | None = None,
) -> Filing:
    """The region's first version of a filing, signed by it and received here."""
    office = region.organisation
    document = FilingDocument(
        filing_id=new_id(),
        region_code=office.region_code,
        office=office.name,
        kind=kind,
        period=period,
        version=1,
        title=f"{office.name}{period}工作进展",
        statistics=Statistics.model_validate(
            {"leads": {"total": leads, "by_kind": {"trademark": leads}}, "marks": {"issued": 2}}
        ),
        sections=dict.fromkeys(SECTIONS[kind], "开展专项检查，处理线索。"),
        typical_cases=[],
        signed_at=signed_at,
    )
    signed = SignedFiling.create(document, region.key, region.certificate)
    receive_filing(db=db, settings=national, filing=signed, now=received_at or signed_at)
    filing = db.get(Filing, document.filing_id)
    assert filing is not None
    return filing


def send_lead(
    db: Session,
    national: NodeSettings,
    region: Region,
    *,
    kind: LeadKind,
    title: str,
    now: datetime,
) -> str:
    """A lead the region pushed, recorded here: its lead record taken in from the
    region's link, as the exchange does. Returns the lead's id."""
    network = Network.of(national, node_identity(national))
    lead = Lead(
        lead_id=new_id(),
        kind=kind,
        right_id="4410392",
        score=Decimal("0.9100"),
        reasons=["名称与注册商标近似"],
        seller="某鞋店",
        title=title,
        jurisdiction=region.organisation.region_code,
        evidence_sha256=hashlib.sha256(title.encode()).hexdigest(),
    )
    envelope = seal(
        LeadRecord(lead=lead, pushed_to=[]),
        recipients=[network.organisation],
        key=region.key,
        certificate=region.certificate,
        sender=region.organisation,
        now=now,
    )
    link = db.get(PeerLink, region.node_id)
    seq = (link.received_seq if link else 0) + 1
    (ack,) = receive(
        db=db,
        network=network,
        handlers=Handlers(),
        peer=region.node_id,
        deliveries=[Delivery(seq=seq, envelope=envelope.to_bytes())],
        now=now,
    )
    assert ack.status is AckStatus.ACCEPTED, ack
    return lead.lead_id


def checkpoint_note(region: Region, size: int, tag: str) -> SignedNote:
    """A checkpoint of the region's log at ``size``, signed by the region."""
    root = hashlib.sha256(f"{region.origin}/{size}/{tag}".encode()).digest()
    note = SignedNote(Checkpoint(region.origin, size, root).body(), ())
    return note.signed_by(region.key, region.certificate)


def witness_checkpoint(db: Session, national: NodeSettings, region: Region, size: int) -> None:
    """The region asks the national node to cosign its first checkpoint (trust on first use)."""
    identity = node_identity(national)
    witness.add_checkpoint(
        db=db,
        note=checkpoint_note(region, size, "true"),
        old_size=0,
        proof=[],
        bundle=identity.bundle,
        key=identity.key,
        certificate=identity.certificate,
    )


def present_split_view(db: Session, national: NodeSettings, region: Region, size: int) -> None:
    """Another root at the size the national node cosigned: the alarm is raised."""
    identity = node_identity(national)
    try:
        witness.add_checkpoint(
            db=db,
            note=checkpoint_note(region, size, "forked"),
            old_size=size,
            proof=[],
            bundle=identity.bundle,
            key=identity.key,
            certificate=identity.certificate,
        )
    except SplitView as exc:
        witness.raise_alarm(db=db, split=exc)
        return
    raise AssertionError("a second root at the same size was cosigned")
