"""The demo's ledger flow: a federation CA, node identities, peers that can
witness each other, evidence of the loaded listings anchored in each
regional log, and every checkpoint cosigned."""

from hashlib import sha256
from pathlib import Path

from rich.console import Console
from sqlalchemy import select

from ipfed.ledger.canonical import canonical_bytes
from ipfed.ledger.identity import Organisation, Role
from ipfed.ledger.keystore import AuthorityDirectory, write_certificate, write_private_key
from ipfed.ledger.transactions import TxType
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeRole, NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.ledger.witnessing import request_witness
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.listings.schemas import ListingOut


def federate(nodes: list[NodeSettings], ca_dir: Path) -> list[NodeSettings]:
    """Identities for every node, and an API key on the peer for each link with the
    national node (the witnessing links; regional nodes only exchange messages)."""
    authority = AuthorityDirectory.create(ca_dir)
    for settings in nodes:
        organisation = Organisation(
            settings.org_name, Role(settings.role.value), settings.region_code
        )
        key, certificate = authority.issue(organisation, node_url=settings.public_base_url)
        settings.identity_dir.mkdir()
        write_private_key(settings.identity_dir / "org.key", key)
        write_certificate(settings.identity_dir / "org.pem", certificate)
    bundle = authority.bundle().to_json()
    by_id = {s.node_id: s for s in nodes}
    linked = []
    for settings in nodes:
        (settings.identity_dir / "trust-bundle.json").write_text(bundle, encoding="utf-8")
        peers = []
        for peer in settings.peers:
            if NodeRole.NATIONAL not in (settings.role, peer.role):
                peers.append(peer)
                continue
            host = by_id[peer.node_id]
            with transaction(make_session_factory(make_engine(host.db_url))) as db:
                _, secret = create_api_key(
                    db=db, org=settings.org_name, role=Role(settings.role.value)
                )
            peers.append(peer.model_copy(update={"api_key": secret}))
        settings = settings.model_copy(update={"peers": peers})
        settings.save()
        linked.append(settings)
    return linked


def anchor_listings(settings: NodeSettings) -> int:
    """Anchor the SHA-256 of every listing the node holds (its evidence snapshot)."""
    sessions = make_session_factory(make_engine(settings.db_url))
    with transaction(sessions) as db:
        listings = db.scalars(select(Listing).order_by(Listing.id)).all()
        snapshots = [canonical_bytes(ListingOut.model_validate(listing)) for listing in listings]
        recorded = node_ledger(db=db, settings=settings).record_batch(
            [(TxType.EVIDENCE_CAPTURED, {"sha256": sha256(s).hexdigest()}) for s in snapshots]
        )
    return len(recorded)


def witness_all(nodes: list[NodeSettings], console: Console) -> None:
    for settings in nodes:
        sessions = make_session_factory(make_engine(settings.db_url))
        note = request_witness(sessions=sessions, settings=settings)
        size = note.text.split("\n")[1]
        console.print(
            f"  {settings.node_id}: checkpoint of {size} entries, {len(note.signatures)} signatures"
        )
