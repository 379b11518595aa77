"""The demo's exchange flow: Zhejiang finds a listing whose seller traces to
Shanghai, records the lead in its ledger and pushes it; the lead reaches the
Shanghai enforcement authority's queue and the national record, and the
authority's feedback travels back to Zhejiang.

The lead is built here from the listings the Zhejiang node holds, standing in
for the detection engine: a listing in a registered mark's Nice class whose
title starts with the mark's name with one character changed, sold by a
market participant of another province (source tracing: its shop on the
platform leads to its registered region)."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from hashlib import sha256
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from sqlalchemy import select
from ulid import ULID

from ipfed.exchange.directory import province_of
from ipfed.exchange.messages import Lead, LeadKind, LeadPush, Shop
from ipfed.ledger.canonical import canonical_bytes
from ipfed.ledger.identity import Organisation, Role
from ipfed.ledger.keystore import AuthorityDirectory
from ipfed.ledger.transactions import TxType, new_transaction
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.errors import ConfigurationError
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.exchange.service import send
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.service import node_log, prove, record
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.listings.schemas import ListingOut
from ipfed.nodes.participants.models import Participant
from ipfed.nodes.rights.models import Trademark

# The organisations that act on leads: they read their queues on their region's node.
ACTING = (
    Organisation("上海市市场监督管理局", Role.ENFORCEMENT, "310000"),
    Organisation("浙江省市场监督管理局", Role.ENFORCEMENT, "330000"),
    Organisation("中国（上海）知识产权保护中心", Role.ASSISTANCE_CENTRE, "310000"),
    Organisation("中国（浙江）知识产权保护中心", Role.ASSISTANCE_CENTRE, "330000"),
    Organisation("国家海外知识产权纠纷应对指导中心", Role.OVERSEAS_CENTRE, "100000"),
    Organisation("上海回力鞋业有限公司", Role.RIGHTS_HOLDER, "310000"),
)
WAIT_SECONDS = 60


def enrol(nodes: list[NodeSettings], ca_dir: Path) -> dict[str, str]:
    """Certificates for the acting organisations, the trust bundle that names them,
    and each one an API key on the node of its region."""
    authority = AuthorityDirectory(ca_dir)
    for organisation in ACTING:
        authority.issue(organisation)
    bundle = authority.bundle().to_json()
    keys = {}
    for settings in nodes:
        (settings.identity_dir / "trust-bundle.json").write_text(bundle, encoding="utf-8")
        sessions = make_session_factory(make_engine(settings.db_url))
        for organisation in ACTING:
            if organisation.region_code == settings.region_code:
                with transaction(sessions) as db:
                    _, keys[organisation.name] = create_api_key(
                        db=db, org=organisation.name, role=organisation.role
                    )
    return keys


@dataclass(frozen=True)
class Found:
    lead: Lead
    listing: str  # the listing's number on its platform
    position: int  # of the lead's record in the finder's ledger


def find_lead(settings: NodeSettings) -> Found:
    """Find the demo's lead among the node's listings and record it in its ledger."""
    identity = node_identity(settings)
    sessions = make_session_factory(make_engine(settings.db_url))
    with transaction(sessions) as db:
        traced = {
            (shop.platform, shop.shop_id): participant
            for participant in db.scalars(select(Participant))
            for shop in participant.shops
        }
        marks = db.scalars(select(Trademark).order_by(Trademark.number)).all()
        for listing in db.scalars(select(Listing).order_by(Listing.id)):
            seller = traced.get((listing.source, listing.seller_shop_id or ""))
            region = seller.region_code if seller else None
            if region is None or province_of(region) == province_of(settings.region_code):
                continue
            for mark in marks:
                reasons = _look_alike(listing, mark)
                if not reasons:
                    continue
                snapshot = canonical_bytes(ListingOut.model_validate(listing))
                lead = Lead(
                    lead_id=str(ULID()),
                    kind=LeadKind.TRADEMARK,
                    right_id=mark.number,
                    right_holder=mark.holder,
                    score=_kept(mark),
                    reasons=reasons,
                    seller=listing.seller,
                    shop=Shop(platform=listing.source, shop_id=listing.seller_shop_id or ""),
                    title=listing.title,
                    url=listing.url,
                    jurisdiction=region,
                    evidence_sha256=sha256(snapshot).hexdigest(),
                )
                payload = {"lead_id": lead.lead_id, "evidence_sha256": lead.evidence_sha256}
                tx = new_transaction(
                    TxType.LEAD_RECORDED,
                    payload,
                    identity.key,
                    identity.certificate,
                    datetime.now(UTC),
                )
                record(db=db, origin=settings.origin, bundle=identity.bundle, transactions=[tx])
                position = node_log(db, settings.origin).size - 1
                return Found(lead, listing.external_id or listing.id, position)
    raise ConfigurationError("no cross-province lead in the demo listings", code="demo_no_lead")


def _look_alike(listing: Listing, mark: Trademark) -> list[str]:
    """Why the listing imitates the mark: its name with one character changed, same class."""
    name, head = mark.name.split()[0], listing.title.split()[0]
    changed = [(a, b) for a, b in zip(name, head, strict=False) if a != b]
    if len(name) != len(head) or len(changed) != 1 or listing.nice_class not in mark.nice_classes:
        return []
    ((original, replaced),) = changed
    return [
        f"「{head}」 is the mark 「{name}」 with 「{original}」 written 「{replaced}」",
        f"sold in Nice class {listing.nice_class}, which the mark covers",
    ]


def _kept(mark: Trademark) -> Decimal:
    """The score: the share of the mark's characters the title keeps."""
    name = mark.name.split()[0]
    return (Decimal(len(name) - 1) / len(name)).quantize(Decimal("0.0001"))


def push_lead(settings: NodeSettings, found: Found) -> None:
    """Push the lead with the receipt of its record (its checkpoint now witnessed)."""
    sessions = make_session_factory(make_engine(settings.db_url))
    with transaction(sessions) as db:
        receipt = prove(db=db, origin=settings.origin, position=found.position)
    network = Network.of(settings, node_identity(settings))
    with transaction(sessions) as db:  # its own transaction: it writes first, the node runs
        send(db=db, network=network, body=LeadPush(lead=found.lead), receipt=receipt)


def follow_lead(
    nodes: dict[str, NodeSettings], keys: dict[str, str], found: Found, console: Console
) -> None:
    """Watch the lead arrive, answer it as Shanghai's enforcement, and the answer return."""
    lead = found.lead
    enforcement = "上海市市场监督管理局"
    console.print(
        f"  zj: lead {lead.lead_id}: listing {found.listing} 「{lead.title}」 imitates "
        f"trademark {lead.right_id}; seller {lead.seller} traced to {lead.jurisdiction}",
        highlight=False,
    )
    sh = _client(nodes["sh"], keys[enforcement])
    national = _client(nodes["national"], keys["national"])
    zj = _client(nodes["zj"], keys["zj"])
    started = time.monotonic()
    _wait(lambda: _items(sh, "/exchange/inbox", type="lead.push"), "Shanghai's queue")
    console.print(f"  sh: in {enforcement}'s queue after {time.monotonic() - started:.1f} s")
    _wait(lambda: _items(national, "/exchange/inbox", type="lead.record"), "the national record")
    console.print(f"  national: on record after {time.monotonic() - started:.1f} s")
    answer = sh.post(
        f"/exchange/leads/{lead.lead_id}/feedback",
        json={"outcome": "case_opened", "case_number": "沪市监案〔2026〕001号"},
    )
    if answer.status_code != 201:
        raise ConfigurationError(f"feedback refused: {answer.text}", code="demo_exchange_failed")
    thread = f"/exchange/threads/{lead.lead_id}"
    _wait(lambda: zj.get(thread).json().get("received"), "the feedback in Zhejiang")
    console.print(
        f"  zj: feedback case_opened from {enforcement} after {time.monotonic() - started:.1f} s"
    )
    _wait(lambda: len(national.get(thread).json().get("received", [])) == 2, "the record")
    console.print("  national: the feedback is on the record too")
    console.print(
        f"  enforcement {enforcement} on sh: API key {keys[enforcement]}\n"
        f"  its queue:  curl -H 'X-API-Key: {keys[enforcement]}' "
        f"'{nodes['sh'].base_url}/exchange/inbox?type=lead.push'",
        soft_wrap=True,
        highlight=False,
    )


def _client(settings: NodeSettings, key: str) -> httpx.Client:
    return httpx.Client(base_url=settings.base_url, headers={"X-API-Key": key}, timeout=10)


def _items(client: httpx.Client, path: str, **params: str) -> list[Any]:
    answer = client.get(path, params=params)
    return list(answer.json().get("items", [])) if answer.status_code == 200 else []


def _wait(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise ConfigurationError(f"the lead did not reach {what}", code="demo_exchange_failed")
        time.sleep(0.2)
