"""At the national node: a region's signed filing is verified, stored, recorded on the
ledger and answered with a signed receipt."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ipfed.ledger.transactions import TxType
from ipfed.nodes.config import NodeRole, NodeSettings
from ipfed.nodes.errors import Conflict, Forbidden
from ipfed.nodes.filings.document import (
    FilingRefused,
    ReceiptDocument,
    SignedFiling,
    SignedReceipt,
    verify_filing,
)
from ipfed.nodes.filings.models import Filing, FilingReceipt, FilingState
from ipfed.nodes.filings.service import latest_version
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.node import node_ledger
from ipfed.nodes.ledger.service import MAX_CLOCK_SKEW


def receive_filing(
    *, db: Session, settings: NodeSettings, filing: SignedFiling, now: datetime
) -> SignedReceipt:
    """Verify a region's signed filing, store it, record it on the ledger, sign a receipt.

    Receiving the same filing again answers the same receipt. A version must
    follow the last one received for its region, kind and period.
    """
    if settings.role is not NodeRole.NATIONAL:
        raise Forbidden("filings go to the national node", code="not_national")
    identity = node_identity(settings)
    verify_filing(filing, identity.bundle)
    document, sha256 = filing.document, filing.document.sha256()
    if document.signed_at - now > MAX_CLOCK_SKEW:
        raise FilingRefused("the filing is signed in the future", code="untimely")
    known = db.get(Filing, document.filing_id)
    if known is not None:
        if known.sha256 != sha256:
            raise Conflict(
                f"filing {document.filing_id} was received with other content",
                code="filing_id_reused",
            )
        kept = db.get(FilingReceipt, known.id)
        assert kept is not None
        return SignedReceipt.from_bytes(kept.signed)
    # Versions only move forward; one the national office refused never arrived, so the
    # version after it follows a gap.
    latest = latest_version(
        db=db, region=document.region_code, kind=document.kind, period=document.period
    )
    if latest is not None and document.version <= latest.version:
        raise Conflict(
            f"version {latest.version} is already here; a correction has a later one",
            code="version_out_of_order",
        )
    stored = Filing(
        id=document.filing_id,
        region_code=document.region_code,
        office=document.office,
        kind=document.kind,
        period=document.period,
        version=document.version,
        supersedes_id=document.supersedes,
        state=FilingState.RECEIVED,
        title=document.title,
        statistics=document.statistics.model_dump(),
        sections=document.sections,
        typical_cases=[case.model_dump() for case in document.typical_cases],
        signed=filing.to_bytes(),
        sha256=sha256,
        signed_at=document.signed_at,
        received_at=now,
    )
    try:
        with db.begin_nested():
            db.add(stored)
    except IntegrityError:  # the same version arrived meanwhile
        raise Conflict("this version was received meanwhile", code="version_out_of_order") from None
    public = {
        "filing_id": document.filing_id,
        "sha256": sha256,
        "region_code": document.region_code,
        "kind": document.kind.value,
        "period": document.period,
        "version": document.version,
    }
    ledger = node_ledger(db=db, settings=settings)
    received, answered = ledger.record_batch(
        [
            (TxType.FILING_RECEIVED, public),
            (TxType.FILING_RECEIPT, {"filing_id": document.filing_id, "sha256": sha256}),
        ]
    )
    stored.ledger_position = received.placed()
    receipt = SignedReceipt.create(
        ReceiptDocument(
            filing_id=document.filing_id,
            filing_sha256=sha256,
            region_code=document.region_code,
            kind=document.kind,
            period=document.period,
            version=document.version,
            received_by=settings.org_name,
            received_at=now,
            ledger_origin=ledger.name,
            ledger_position=received.placed(),
            receipt_position=answered.placed(),
        ),
        identity.key,
        identity.certificate,
    )
    db.add(
        FilingReceipt(
            filing_id=stored.id,
            received_by=settings.org_name,
            received_at=now,
            ledger_position=answered.placed(),
            signed=receipt.to_bytes(),
        )
    )
    db.flush()
    return receipt
