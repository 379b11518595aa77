"""Leads found by screening the built-in sample, signed by a Shanghai office."""

from datetime import date

import pytest
from cryptography import x509
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.detection.screening import Screener
from ipfed.ledger.identity import PrivateKey
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.detection import service
from ipfed.nodes.detection.models import Lead
from ipfed.nodes.identity import NodeIdentity
from ipfed.nodes.ledger.embedded import EmbeddedLedger
from ipfed.nodes.listings.models import Listing

ORIGIN = "ipfed/310000/sh"


@pytest.fixture
def identity(federation: tuple[TrustBundle, PrivateKey, x509.Certificate]) -> NodeIdentity:
    bundle, key, certificate = federation
    return NodeIdentity(key, certificate, bundle)


@pytest.fixture
def ledger(db: Session, identity: NodeIdentity) -> EmbeddedLedger:
    """The node's ledger: its log ``ORIGIN``, signed by ``identity``."""
    return EmbeddedLedger(db=db, origin=ORIGIN, identity=identity)


@pytest.fixture
def leads(db: Session, sample_data: None, ledger: EmbeddedLedger) -> dict[str, Lead]:
    """The sample listings' leads, by ``listing/right``, recorded in log ``ORIGIN``."""
    screener = Screener(service.load_register(db=db), today=date(2026, 11, 21))
    found = {}
    for listing in db.scalars(select(Listing).order_by(Listing.external_id)):
        for lead in service.screen_listing(
            db=db, screener=screener, listing=listing, ledger=ledger
        ):
            found[f"{listing.external_id}/{lead.right_ref}"] = lead
    return found
