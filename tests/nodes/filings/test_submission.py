"""Submission between a regional and the national node: signed, verified, stored,
recorded on the national ledger, acknowledged with a signed receipt; a tampered
filing is refused and a correction keeps the original version."""

import base64
import json
import logging
from datetime import timedelta
from hashlib import sha256

import pytest
from cryptography import x509
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.canonical import canonical_bytes, parse_canonical
from ipfed.ledger.identity import (
    CertificateAuthority,
    Organisation,
    PrivateKey,
    Role,
    generate_key,
    sign,
)
from ipfed.ledger.transactions import Transaction, TxType
from ipfed.ledger.trust import key_id
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import new_id, transaction, utcnow
from ipfed.nodes.errors import Conflict, Forbidden, InvalidInput
from ipfed.nodes.filings.calendar import (
    DEFAULT_CALENDAR,
    FilingKind,
    Granularity,
    Period,
    Standing,
    china_today,
)
from ipfed.nodes.filings.consolidation import received
from ipfed.nodes.filings.document import (
    FilingDocument,
    FilingRefused,
    SignedFiling,
    SignedReceipt,
)
from ipfed.nodes.filings.models import Filing, FilingReceipt, FilingState
from ipfed.nodes.filings.receiving import receive_filing
from ipfed.nodes.filings.round import filings_round
from ipfed.nodes.filings.schemas import FillIn
from ipfed.nodes.filings.service import (
    accept_receipt,
    correct_filing,
    create_filing,
    deliver_pending,
    fill_filing,
    obligations,
    submit,
)
from ipfed.nodes.filings.statistics import LeadFigures, Statistics
from ipfed.nodes.filings.transport import DeliveryFailed, FilingTransport
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.models import LogEntry
from ipfed.nodes.ledger.service import audit

Keys = dict[str, tuple[PrivateKey, x509.Certificate]]

MONTHLY = FilingKind.MONTHLY_REPORT
WRITTEN = {"progress": "开展电商平台专项检查。", "problems": "无", "next_month": "继续巡查。"}


def draft(db: Session, settings: NodeSettings, period: str = "2024-03") -> Filing:
    filing = create_filing(db=db, settings=settings, kind=MONTHLY, period=period)
    return fill_filing(db=db, filing=filing, fill=FillIn(sections=WRITTEN))


def document(**changes: object) -> FilingDocument:
    fields: dict[str, object] = {
        "filing_id": new_id(),
        "region_code": "310000",
        "office": "上海市知识产权局",
        "kind": MONTHLY,
        "period": "2024-03",
        "version": 1,
        "title": "上海市知识产权局2024年3月月度工作进展",
        "statistics": Statistics(leads=LeadFigures(total=7, by_kind={"trademark": 7})),
        "sections": WRITTEN,
        "typical_cases": [],
        "signed_at": utcnow(),
    }
    return FilingDocument.model_validate({**fields, **changes})


def submitted(
    db: Session,
    sessions: sessionmaker[Session],
    settings: NodeSettings,
    filing: Filing,
    transport: FilingTransport,
) -> Filing:
    """Submit as the API and CLI do, in transactions of their own, and reload."""
    db.flush()
    submit(
        sessions=sessions, settings=settings, filing_id=filing.id, transport=transport, now=utcnow()
    )
    db.refresh(filing)
    return filing


def signed_by(offices: Keys, node_id: str, doc: FilingDocument) -> SignedFiling:
    key, certificate = offices[node_id]
    return SignedFiling.create(doc, key, certificate)


def ledger(db: Session) -> list[Transaction]:
    rows = db.scalars(select(LogEntry).order_by(LogEntry.position))
    return [Transaction.model_validate(parse_canonical(row.data)) for row in rows]


def test_a_filing_reaches_the_national_node_and_a_signed_receipt_comes_back(
    db: Session,
    sessions: sessionmaker[Session],
    shanghai: NodeSettings,
    national: NodeSettings,
    to_national: FilingTransport,
    national_sessions: sessionmaker[Session],
) -> None:
    filing = draft(db, shanghai)
    submitted(db, sessions, shanghai, filing, to_national)
    assert filing.state is FilingState.ACKNOWLEDGED and filing.delivery_error is None
    sent = SignedFiling.from_bytes(filing.signed or b"")
    assert sent.document.sha256() == filing.sha256
    assert sent.document.sections == WRITTEN

    kept = db.get(FilingReceipt, filing.id)
    assert kept is not None
    receipt = SignedReceipt.from_bytes(kept.signed)
    assert receipt.document.filing_sha256 == filing.sha256
    assert receipt.document.received_by == national.org_name

    with transaction(national_sessions) as there:
        stored = there.get(Filing, filing.id)
        assert stored is not None and stored.state is FilingState.RECEIVED
        assert (stored.sha256, stored.signed) == (filing.sha256, filing.signed)
        assert stored.statistics == filing.statistics
        entries = ledger(there)
        assert [tx.type for tx in entries] == [TxType.FILING_RECEIVED, TxType.FILING_RECEIPT]
        assert entries[0].payload["sha256"] == filing.sha256
        assert stored.ledger_position == receipt.document.ledger_position == 0
        assert kept.ledger_position == receipt.document.receipt_position == 1
        identity = node_identity(national)
        assert audit(db=there, origin=national.origin, bundle=identity.bundle) is None


def test_a_tampered_filing_is_refused_and_nothing_is_stored(
    db: Session, offices: Keys, national: NodeSettings
) -> None:
    signed = signed_by(offices, "sh", document())
    altered = json.loads(signed.to_bytes())
    altered["document"]["statistics"]["leads"]["total"] = 70
    tampered = SignedFiling.from_bytes(canonical_bytes(altered))
    flipped = bytearray(signed.signature)
    flipped[10] ^= 1
    for bad in (tampered, signed.model_copy(update={"signature": bytes(flipped)})):
        with pytest.raises(FilingRefused) as caught:
            receive_filing(db=db, settings=national, filing=bad, now=utcnow())
        assert caught.value.code == "tampered"
    assert db.scalar(select(func.count()).select_from(Filing)) == 0
    assert ledger(db) == []
    # The untouched filing is accepted.
    receipt = receive_filing(db=db, settings=national, filing=signed, now=utcnow())
    assert receipt.document.filing_sha256 == signed.document.sha256()


def signed_by_hand(offices: Keys, node_id: str, fields: dict[str, object]) -> bytes:
    """A filing as another node's code would sign it: over the document's canonical bytes."""
    key, certificate = offices[node_id]
    return canonical_bytes(
        {
            "document": fields,
            "signer": key_id(certificate),
            "signature": base64.b64encode(sign(key, canonical_bytes(fields))).decode(),
        }
    )


def test_filings_carry_their_format_version(
    db: Session, offices: Keys, national: NodeSettings
) -> None:
    fields = document().model_dump(mode="json")
    assert "v" not in fields  # 1.0, by omission: what nodes that know no versions read
    newer = SignedFiling.from_bytes(
        signed_by_hand(offices, "sh", {**fields, "v": "1.2", "annex": "附件一"})
    )
    receipt = receive_filing(db=db, settings=national, filing=newer, now=utcnow())
    assert (
        receipt.document.filing_sha256
        == sha256(canonical_bytes({**fields, "v": "1.2", "annex": "附件一"})).hexdigest()
    )
    with pytest.raises(FilingRefused) as caught:
        SignedFiling.from_bytes(signed_by_hand(offices, "sh", {**fields, "v": "2.0"}))
    assert caught.value.code == "unsupported_version"
    assert "FilingDocument format 2.0 is newer than this node reads" in caught.value.message


def test_only_the_regions_own_office_files_for_it(
    db: Session, offices: Keys, national: NodeSettings
) -> None:
    rogue_key = generate_key()
    rogue = CertificateAuthority.create().issue(
        Organisation("上海市知识产权局", Role.REGIONAL, "310000"), rogue_key.public_key()
    )
    cases = {
        "wrong_office": signed_by(offices, "zj", document()),  # Zhejiang signs for Shanghai
        "unknown_signer": SignedFiling.create(document(), rogue_key, rogue),  # not federated
    }
    for code, bad in cases.items():
        with pytest.raises(FilingRefused) as caught:
            receive_filing(db=db, settings=national, filing=bad, now=utcnow())
        assert caught.value.code == code
    with pytest.raises(FilingRefused) as caught:
        receive_filing(
            db=db,
            settings=national,
            filing=signed_by(offices, "sh", document(signed_at=utcnow() + timedelta(hours=1))),
            now=utcnow(),
        )
    assert caught.value.code == "untimely"


def test_versions_move_forward_and_a_repeat_gets_the_same_receipt(
    db: Session, offices: Keys, national: NodeSettings
) -> None:
    first = signed_by(offices, "sh", document())
    receipt = receive_filing(db=db, settings=national, filing=first, now=utcnow())
    again = receive_filing(db=db, settings=national, filing=first, now=utcnow())
    assert again == receipt
    assert len(ledger(db)) == 2

    reused = signed_by(offices, "sh", document(filing_id=first.document.filing_id, title="改"))
    with pytest.raises(Conflict) as caught:
        receive_filing(db=db, settings=national, filing=reused, now=utcnow())
    assert caught.value.code == "filing_id_reused"

    # Version 2 was refused (it never arrived); version 3 corrects it and follows the gap.
    third = signed_by(offices, "sh", document(version=3, supersedes=new_id(), title="再次更正"))
    receive_filing(db=db, settings=national, filing=third, now=utcnow())
    late = signed_by(
        offices, "sh", document(version=2, supersedes=first.document.filing_id, title="更正")
    )
    with pytest.raises(Conflict) as caught:
        receive_filing(db=db, settings=national, filing=late, now=utcnow())
    assert caught.value.code == "version_out_of_order"
    (latest,) = received(db=db, kind=MONTHLY, period=Period.parse("2024-03"))
    assert (latest.version, latest.filing_id) == (3, third.document.filing_id)
    assert len(ledger(db)) == 4


def test_a_correction_is_a_new_version_and_the_original_stays(
    db: Session,
    sessions: sessionmaker[Session],
    shanghai: NodeSettings,
    to_national: FilingTransport,
    national_sessions: sessionmaker[Session],
) -> None:
    original = draft(db, shanghai)
    submitted(db, sessions, shanghai, original, to_national)
    signed_before, sha_before = original.signed, original.sha256
    with pytest.raises(Conflict) as caught:
        fill_filing(db=db, filing=original, fill=FillIn(sections={"problems": "改写"}))
    assert caught.value.code == "not_a_draft"

    correction = correct_filing(db=db, filing=original)
    assert (correction.version, correction.supersedes_id) == (2, original.id)
    fill_filing(db=db, filing=correction, fill=FillIn(sections={"problems": "数据有误，更正。"}))
    submitted(db, sessions, shanghai, correction, to_national)
    assert correction.state is FilingState.ACKNOWLEDGED
    db.expire_all()
    kept = db.get(Filing, original.id)
    assert kept is not None
    assert (kept.signed, kept.sha256, kept.sections) == (signed_before, sha_before, WRITTEN)
    with pytest.raises(Conflict) as caught:
        correct_filing(db=db, filing=kept)
    assert caught.value.code == "not_latest"

    with transaction(national_sessions) as there:
        versions = there.scalars(
            select(Filing).where(Filing.region_code == "310000").order_by(Filing.version)
        ).all()
        assert [(f.version, f.sha256) for f in versions] == [
            (1, sha_before),
            (2, correction.sha256),
        ]
        assert versions[1].sections["problems"] == "数据有误，更正。"


class Unreachable:
    def send(self, db: Session, filing: SignedFiling) -> SignedReceipt:
        raise DeliveryFailed("connection refused")


def test_a_failed_delivery_is_kept_and_sent_again(
    db: Session,
    sessions: sessionmaker[Session],
    shanghai: NodeSettings,
    to_national: FilingTransport,
    national_sessions: sessionmaker[Session],
) -> None:
    filing = draft(db, shanghai)
    submitted(db, sessions, shanghai, filing, Unreachable())
    assert filing.state is FilingState.SUBMITTED
    assert filing.delivery_error == "[delivery_failed] connection refused"
    signed = filing.signed
    unsent = draft(db, shanghai, period="2024-04")  # a draft is not sent
    db.flush()
    again = deliver_pending(sessions=sessions, settings=shanghai, transport=to_national)
    assert [f.id for f in again] == [filing.id]
    db.refresh(filing)
    assert filing.state is FilingState.ACKNOWLEDGED and filing.delivery_error is None
    assert unsent.state is FilingState.DRAFT
    assert deliver_pending(sessions=sessions, settings=shanghai, transport=to_national) == []
    with transaction(national_sessions) as there:
        stored = there.get(Filing, filing.id)
        assert stored is not None and stored.signed == signed  # the same bytes, not re-signed


def test_an_incomplete_draft_is_not_signed(
    db: Session,
    sessions: sessionmaker[Session],
    shanghai: NodeSettings,
    to_national: FilingTransport,
    national_sessions: sessionmaker[Session],
) -> None:
    filing = create_filing(db=db, settings=shanghai, kind=MONTHLY, period="2024-03")
    fill_filing(db=db, filing=filing, fill=FillIn(sections={"progress": "已开展。"}))
    with pytest.raises(InvalidInput) as caught:
        submitted(db, sessions, shanghai, filing, to_national)
    assert caught.value.code == "incomplete_filing"
    assert filing.state is FilingState.DRAFT and filing.signed is None
    with transaction(national_sessions) as there:
        assert there.scalar(select(func.count()).select_from(Filing)) == 0


def test_a_receipt_must_be_the_national_offices_for_this_document(
    db: Session,
    sessions: sessionmaker[Session],
    offices: Keys,
    shanghai: NodeSettings,
    national: NodeSettings,
    national_sessions: sessionmaker[Session],
) -> None:
    filing = draft(db, shanghai)
    submitted(db, sessions, shanghai, filing, Unreachable())
    other = signed_by(offices, "sh", document())
    with transaction(national_sessions) as there:
        receipt = receive_filing(db=there, settings=national, filing=other, now=utcnow())
    forged = receipt.model_copy(
        update={"document": receipt.document.model_copy(update={"filing_id": filing.id})}
    )
    with pytest.raises(FilingRefused) as caught:
        accept_receipt(db=db, settings=shanghai, receipt=forged)
    assert caught.value.code == "tampered"
    key, certificate = offices["zj"]
    by_a_province = SignedReceipt.create(forged.document, key, certificate)
    with pytest.raises(FilingRefused) as caught:
        accept_receipt(db=db, settings=shanghai, receipt=by_a_province)
    assert caught.value.code == "wrong_office"
    national_key, national_certificate = offices["national"]
    for_another_document = SignedReceipt.create(forged.document, national_key, national_certificate)
    with pytest.raises(FilingRefused) as caught:
        accept_receipt(db=db, settings=shanghai, receipt=for_another_document)
    assert caught.value.code == "bad_receipt"
    assert filing.state is FilingState.SUBMITTED


def test_the_national_office_files_nothing_and_a_region_receives_nothing(
    db: Session, offices: Keys, shanghai: NodeSettings, national: NodeSettings
) -> None:
    with pytest.raises(Forbidden):
        create_filing(db=db, settings=national, kind=MONTHLY, period="2024-03")
    with pytest.raises(Forbidden):
        receive_filing(
            db=db, settings=shanghai, filing=signed_by(offices, "sh", document()), now=utcnow()
        )


def test_a_running_nodes_round_sends_again_and_raises_reminders(
    db: Session,
    sessions: sessionmaker[Session],
    shanghai: NodeSettings,
    to_national: FilingTransport,
    caplog: pytest.LogCaptureFixture,
) -> None:
    period = Period.of(Granularity.MONTH, china_today(utcnow())).previous()
    filing = submitted(db, sessions, shanghai, draft(db, shanghai, str(period)), Unreachable())
    with caplog.at_level(logging.WARNING, logger="ipfed.nodes.filings.round"):
        delivered, due = filings_round(shanghai, sessions, to_national)
    assert [f.id for f in delivered] == [filing.id]
    assert due and all(o.standing in (Standing.OVERDUE, Standing.DUE_SOON) for o in due)
    assert (MONTHLY, str(period)) not in {(o.kind, o.period) for o in due}
    assert "filings overdue or due soon" in caplog.text and "上海市" in caplog.text


def test_a_refused_filing_is_marked_refused_and_corrected_by_a_new_version(
    db: Session,
    sessions: sessionmaker[Session],
    shanghai: NodeSettings,
    to_national: FilingTransport,
) -> None:
    filing = draft(db, shanghai)
    submitted(db, sessions, shanghai, filing, Unreachable())
    altered = json.loads(filing.signed or b"")
    altered["document"]["sections"]["problems"] = "改过"
    filing.signed = canonical_bytes(altered)  # the stored document damaged after signing
    db.flush()
    delivered = deliver_pending(sessions=sessions, settings=shanghai, transport=to_national)
    assert delivered == []
    db.refresh(filing)
    assert filing.state is FilingState.REFUSED
    assert (filing.delivery_error or "").startswith("[tampered]")
    assert deliver_pending(sessions=sessions, settings=shanghai, transport=to_national) == []

    def march_standing() -> tuple[Standing, str | None]:
        (march,) = [
            o
            for o in obligations(
                db=db, settings=shanghai, calendar=DEFAULT_CALENDAR, year=2024, now=utcnow()
            )
            if o.kind is MONTHLY and o.period == "2024-03"
        ]
        return march.standing, march.filing_id

    assert march_standing() == (Standing.OVERDUE, None)  # refused is not filed
    correction = correct_filing(db=db, filing=filing)
    submitted(db, sessions, shanghai, correction, to_national)
    assert correction.state is FilingState.ACKNOWLEDGED and correction.version == 2
    assert march_standing() == (Standing.FILED_LATE, correction.id)
