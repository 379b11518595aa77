"""Filings over the exchange between real node processes: Shanghai's signed monthly
report reaches the national node, which records it and sends back its signed receipt;
a filing damaged after signing is refused, and the refusal comes back too."""

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import func, select

from ipfed.exchange.messages import MessageType
from ipfed.ledger.canonical import canonical_bytes
from ipfed.nodes.database.core import transaction, utcnow
from ipfed.nodes.exchange.models import OutboxEnvelope
from ipfed.nodes.filings.calendar import FilingKind, Granularity, Period, china_today
from ipfed.nodes.filings.exchange import ExchangeTransport, filing_transport
from ipfed.nodes.filings.models import Filing, FilingReceipt, FilingState
from ipfed.nodes.filings.schemas import FillIn
from ipfed.nodes.filings.service import create_filing, deliver_pending, fill_filing, seal

pytestmark = pytest.mark.integration
WRITTEN = {"progress": "开展专项检查。", "problems": "无", "next_month": "继续巡查。"}


def test_a_filing_and_its_receipt_travel_over_the_exchange(federation_of: Any) -> None:
    fed = federation_of("national", "sh")
    national, sh = fed.nodes["national"], fed.nodes["sh"]
    assert isinstance(filing_transport(sh.settings), ExchangeTransport)
    this_month = Period.of(Granularity.MONTH, china_today(utcnow()))
    drafts = []
    for period in (this_month.previous(), this_month):
        with transaction(sh.sessions) as db:
            filing = create_filing(
                db=db, settings=sh.settings, kind=FilingKind.MONTHLY_REPORT, period=str(period)
            )
            fill_filing(db=db, filing=filing, fill=FillIn(sections=WRITTEN))
            drafts.append(filing.id)
    good, damaged = drafts
    fed.start()

    submitted = subprocess.run(
        [sys.executable, "-m", "ipfed.nodes", "filings", "submit", good],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", "IPFED_DATA_DIR": str(sh.settings.data_dir)},
    )
    assert submitted.returncode == 0, submitted.stderr
    assert "queued for the national office" in submitted.stdout

    def state_of(filing_id: str) -> FilingState:
        with transaction(sh.sessions) as db:
            filing = db.get(Filing, filing_id)
            assert filing is not None
            return filing.state

    fed.wait_for(lambda: state_of(good) is FilingState.ACKNOWLEDGED, "the receipt in Shanghai")
    with transaction(national.sessions) as db:
        stored = db.get(Filing, good)
        assert stored is not None and stored.state is FilingState.RECEIVED
        assert stored.ledger_position is not None
        assert db.get(FilingReceipt, good) is not None
    with sh.sessions() as db:  # reads only: deliver_pending below writes on its own
        kept = db.get(FilingReceipt, good)
        assert kept is not None and kept.received_by == "国家知识产权局"
        # Sending again queues nothing more: the outbox already carries it.
        deliver_pending(
            sessions=sh.sessions, settings=sh.settings, transport=ExchangeTransport(sh.settings)
        )
        queued = db.scalar(
            select(func.count())
            .select_from(OutboxEnvelope)
            .where(OutboxEnvelope.type == MessageType.FILING_SUBMISSION.value)
        )
        assert queued == 1

    with transaction(sh.sessions) as db:
        filing = db.get(Filing, damaged)
        assert filing is not None
        seal(db=db, settings=sh.settings, filing=filing, now=utcnow())
        altered = json.loads(filing.signed or b"")
        altered["document"]["sections"]["problems"] = "篡改"
        filing.signed = canonical_bytes(altered)
    deliver_pending(
        sessions=sh.sessions, settings=sh.settings, transport=ExchangeTransport(sh.settings)
    )
    fed.wait_for(lambda: state_of(damaged) is FilingState.REFUSED, "the refusal in Shanghai")
    with transaction(sh.sessions) as db:
        refused = db.get(Filing, damaged)
        assert refused is not None and (refused.delivery_error or "").startswith("[tampered]")
    with transaction(national.sessions) as db:
        assert db.get(Filing, damaged) is None
