"""Personal data past its retention period is erased by the node's round, in batches,
once; what is within its period is kept; the ledger, its receipts and the evidence
hashes still verify after erasure; the record holds counts, never the data."""

from datetime import UTC, datetime, timedelta

import pytest
from personal_data import HOLDER, YIWU, World
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.canonical import parse_canonical
from ipfed.nodes.app import node_jobs
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import transaction
from ipfed.nodes.detection.evidence import EvidenceError, export_bundle
from ipfed.nodes.detection.models import Evidence, Lead
from ipfed.nodes.exchange.models import (
    DeliveryState,
    InboxEnvelope,
    OutboxDelivery,
    OutboxEnvelope,
)
from ipfed.nodes.identity import node_identity
from ipfed.nodes.jobs.models import Job, JobState
from ipfed.nodes.jobs.runner import Runner, Schedule
from ipfed.nodes.jobs.service import enqueue
from ipfed.nodes.ledger.models import LogEntry
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.ledger.service import audit
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.marks.models import CloneAlert, MarkEvent
from ipfed.nodes.privacy.models import ERASED, Cause, Erasure
from ipfed.nodes.privacy.scheduled import retention_round

NOW = datetime.now(UTC)


def age(db: Session, world: World) -> None:
    """S004 (no lead) a year and more old, S001's leads and the envelopes that pushed
    one four years old (one still waiting to be delivered), the Yiwu scan 200 days old;
    everything else is recent."""
    listings = world.listings
    led = {key.split("/")[0] for key in world.leads}
    assert led == {"S001", "S002", "S003", "S005"}  # S004 raised no lead
    db.execute(
        update(Listing)
        .where(Listing.id == listings["S004"].id)
        .values(captured_at=NOW - timedelta(days=366))
    )
    db.execute(
        update(Lead)
        .where(Lead.listing_id == listings["S001"].id)
        .values(created_at=NOW - timedelta(days=4 * 365))
    )
    db.execute(
        update(MarkEvent)
        .where(MarkEvent.id == world.scans["yiwu"].id)
        .values(event_time=NOW - timedelta(days=200))
    )
    long_ago = NOW - timedelta(days=4 * 365)
    db.execute(
        update(OutboxEnvelope)
        .where(OutboxEnvelope.id == world.sent["S001"])
        .values(created_at=long_ago)
    )
    db.execute(
        update(InboxEnvelope)
        .where(InboxEnvelope.id == world.received["S001"])
        .values(received_at=long_ago)
    )
    db.commit()


def test_what_is_past_retention_is_erased_once_and_the_rest_kept(
    db: Session, sessions: sessionmaker[Session], office: NodeSettings, world: World
) -> None:
    age(db, world)
    s001 = world.listings["S001"]
    s001_evidence = db.scalars(select(Evidence).where(Evidence.listing_id == s001.id)).all()
    hashes = {e.id: e.sha256 for e in s001_evidence}
    assert hashes

    # One record of each kind per batch: the round goes on until nothing is left.
    counts = retention_round(office, sessions, limit=1)
    assert counts == {"listings": 2, "evidence": len(hashes), "scans": 1, "envelopes": 1}
    (record,) = db.scalars(select(Erasure)).all()
    assert (record.cause, record.counts, record.request_ref) == (Cause.RETENTION, counts, None)

    db.expire_all()
    erased = {k: db.get_one(Listing, v.id) for k, v in world.listings.items()}
    for key in ("S004", "S001"):
        listing = erased[key]
        assert listing.seller == ERASED
        assert (listing.seller_shop_id, listing.url, listing.description) == (None, None, None)
        assert listing.title  # not personal: kept for the statistics
    for key in ("S002", "S003", "S005"):  # within their periods (S002: its leads are new)
        assert erased[key].seller != ERASED and erased[key].seller_shop_id
    for evidence in db.scalars(select(Evidence).where(Evidence.listing_id == s001.id)):
        assert evidence.snapshot == b"" and evidence.sha256 == hashes[evidence.id]
        assert all(image.data == b"" for image in evidence.images)
    yiwu, street = (db.get_one(MarkEvent, world.scans[k].id) for k in ("yiwu", "street"))
    assert (yiwu.place, yiwu.seller_uscc, yiwu.latitude) == (None, None, None)
    assert yiwu.ledger_position == world.scans["yiwu"].ledger_position
    assert street.place and street.latitude is not None
    # The clone alert on the erased sighting names its seller no more, the other still.
    (alert,) = db.scalars(select(CloneAlert)).all()
    assert YIWU not in alert.reason and ERASED in alert.reason and HOLDER in alert.reason

    # The envelope as received is erased; as sent, it waits for its delivery.
    received = db.get_one(InboxEnvelope, world.received["S001"])
    assert received.data == b"" and received.envelope_id == world.sent["S001"]
    assert db.get_one(OutboxEnvelope, world.sent["S001"]).data
    assert db.get_one(InboxEnvelope, world.received["S003"]).data

    # Again: nothing is left to erase, and nothing more is recorded.
    assert retention_round(office, sessions) == {}
    assert len(db.scalars(select(Erasure)).all()) == 1
    db.execute(update(OutboxDelivery).values(state=DeliveryState.DELIVERED))
    db.commit()
    assert retention_round(office, sessions) == {"envelopes": 1}
    assert db.get_one(OutboxEnvelope, world.sent["S001"]).data == b""
    assert retention_round(office, sessions) == {}
    assert all(YIWU not in str(r.counts) for r in db.scalars(select(Erasure)))


def test_the_ledger_and_its_receipts_verify_after_erasure(
    db: Session, sessions: sessionmaker[Session], office: NodeSettings, world: World
) -> None:
    age(db, world)
    db.execute(  # the confirmed lead's listing past its period too
        update(Lead)
        .where(Lead.listing_id == world.listings["S003"].id)
        .values(created_at=NOW - timedelta(days=4 * 365), decided_at=NOW - timedelta(days=1100))
    )
    db.commit()
    assert retention_round(office, sessions)["listings"] == 3
    db.expire_all()
    bundle = node_identity(office).bundle
    assert audit(db=db, origin=office.origin, bundle=bundle) is None

    lead = db.get_one(Lead, world.confirmed.id)
    assert lead.evidence.snapshot == b"" and lead.ledger_position is not None
    ledger = node_ledger(db=db, settings=office)
    receipt = ledger.receipt(lead.ledger_position)
    receipt.verify(bundle)
    assert receipt.transaction.payload["evidence_sha256"] == lead.evidence.sha256
    assert lead.evidence.ledger_position is not None
    anchored = db.get_one(LogEntry, lead.evidence.ledger_position)
    assert parse_canonical(anchored.data)["payload"]["sha256"] == lead.evidence.sha256
    ledger.receipt(world.scans["yiwu"].ledger_position).verify(bundle)

    with pytest.raises(EvidenceError) as erased:
        export_bundle(ledger=ledger, evidence=lead.evidence)
    assert erased.value.code == "evidence_erased"
    # Evidence within its period still exports and verifies offline.
    kept = world.leads["S002/8815527"].evidence
    export_bundle(ledger=ledger, evidence=db.get_one(Evidence, kept.id)).verify(bundle)


def test_shorter_periods_from_the_settings_take_effect(
    db: Session, sessions: sessionmaker[Session], office: NodeSettings, world: World
) -> None:
    # A day short of each default period: all is kept.
    db.execute(update(Listing).values(captured_at=NOW - timedelta(days=364)))
    db.execute(update(Lead).values(created_at=NOW - timedelta(days=3 * 365 - 1)))
    db.execute(update(MarkEvent).values(event_time=NOW - timedelta(days=2)))
    db.commit()
    assert retention_round(office, sessions) == {}
    office.retention_scan_days = 1
    assert retention_round(office, sessions) == {"scans": 3}


def test_the_round_runs_on_the_nodes_job_runner(
    db: Session, sessions: sessionmaker[Session], office: NodeSettings, world: World
) -> None:
    age(db, world)
    handlers, schedules = node_jobs(office, sessions, None)
    assert Schedule("privacy.retention", office.privacy_round_seconds) in schedules
    runner = Runner(sessions, handlers, schedules=schedules)
    with transaction(sessions) as job_db:
        job = enqueue(db=job_db, kind="privacy.retention", payload={})
    assert runner.run_one()
    db.expire_all()
    assert db.get_one(Job, job.id).state is JobState.DONE
    assert db.get_one(Listing, world.listings["S004"].id).seller == ERASED
    office.privacy_round_seconds = 0  # 0: the round does not run
    assert "privacy.retention" not in node_jobs(office, sessions, None)[0]
