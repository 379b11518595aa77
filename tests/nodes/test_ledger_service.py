"""The node's ledger on SQLite and PostgreSQL: transactions go through signature
and contract checks, and ``audit`` finds any edit, deletion, swap or forgery."""

import json
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.contract import ContractViolation
from ipfed.ledger.errors import InvalidProof, LedgerError
from ipfed.ledger.identity import (
    BadSignature,
    CertificateAuthority,
    Organisation,
    Role,
    UntrustedIdentity,
    generate_key,
)
from ipfed.ledger.note import SignedNote
from ipfed.ledger.receipts import Receipt
from ipfed.ledger.transactions import Transaction, TxType, new_transaction
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.cli import app
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.ledger.models import LogEntry, StateEntry, StoredCheckpoint
from ipfed.nodes.ledger.service import (
    audit,
    latest_checkpoint,
    node_log,
    prove,
    record,
    sign_checkpoint,
)

ORIGIN = "ipfed/310000/sh"


@pytest.fixture(scope="module")
def identity() -> tuple:
    authority = CertificateAuthority.create()
    key = generate_key()
    certificate = authority.issue(
        Organisation("上海市知识产权局", Role.REGIONAL, "310000"), key.public_key()
    )
    return TrustBundle(authority.certificate, [certificate]), key, certificate, authority


def make(identity: tuple, type: TxType, **payload: str) -> Transaction:
    _, key, certificate, _ = identity
    return new_transaction(type, payload, key, certificate, datetime.now(UTC))


def digest(text: str) -> str:
    return sha256(text.encode()).hexdigest()


@pytest.fixture
def ledger(db: Session, identity: tuple) -> Session:
    bundle, key, certificate, _ = identity
    record(
        db=db,
        origin=ORIGIN,
        bundle=bundle,
        transactions=[
            make(identity, TxType.EVIDENCE_CAPTURED, sha256=digest(f"snapshot {i}"))
            for i in range(6)
        ],
    )
    sign_checkpoint(db=db, origin=ORIGIN, key=key, certificate=certificate)
    record(
        db=db,
        origin=ORIGIN,
        bundle=bundle,
        transactions=[
            make(
                identity, TxType.LEAD_RECORDED, lead_id="L1", evidence_sha256=digest("snapshot 2")
            ),
            make(identity, TxType.MARK_ISSUED, mark_id="M1"),
            make(identity, TxType.MARK_STATUS, mark_id="M1", status="suspended"),
        ],
    )
    sign_checkpoint(db=db, origin=ORIGIN, key=key, certificate=certificate)
    db.flush()
    return db


def test_recording_and_a_clean_audit(ledger: Session, identity: tuple) -> None:
    bundle = identity[0]
    assert node_log(db=ledger, origin=ORIGIN).size == 9
    assert ledger.get(StateEntry, "mark/M1").value["status"] == "suspended"  # type: ignore[union-attr]
    note = latest_checkpoint(db=ledger)
    assert note is not None and Checkpoint.parse(note.text).size == 9
    assert audit(db=ledger, origin=ORIGIN, bundle=bundle) is None


def test_a_refused_batch_stores_nothing(ledger: Session, identity: tuple) -> None:
    bundle = identity[0]
    good = make(identity, TxType.EVIDENCE_CAPTURED, sha256=digest("new"))
    bad = make(identity, TxType.LEAD_RECORDED, lead_id="L2", evidence_sha256=digest("absent"))
    with pytest.raises(ContractViolation):
        record(db=ledger, origin=ORIGIN, bundle=bundle, transactions=[good, bad])
    backdated = good.model_copy(update={"timestamp": datetime(2026, 1, 1, tzinfo=UTC)})
    with pytest.raises(LedgerError) as raised:
        record(db=ledger, origin=ORIGIN, bundle=bundle, transactions=[backdated])
    assert raised.value.code == "untimely_transaction"
    forged = good.model_copy(update={"payload": {"sha256": digest("other")}})
    with pytest.raises(BadSignature):
        record(db=ledger, origin=ORIGIN, bundle=bundle, transactions=[forged])
    assert node_log(db=ledger, origin=ORIGIN).size == 9
    assert audit(db=ledger, origin=ORIGIN, bundle=bundle) is None


def _edit(db: Session, position: int, change: dict) -> None:
    entry = db.get(LogEntry, position)
    assert entry is not None
    tx = Transaction.model_validate_json(entry.data)
    entry.data = tx.model_copy(update=change).entry()
    db.flush()


def test_audit_finds_an_edited_transaction(ledger: Session, identity: tuple) -> None:
    _edit(ledger, 4, {"payload": {"sha256": digest("rewritten")}})
    problem = audit(db=ledger, origin=ORIGIN, bundle=identity[0])
    assert problem is not None and (problem.where, problem.code) == ("entry 4", "bad_signature")


def test_audit_finds_a_rehashed_edit(ledger: Session, identity: tuple) -> None:
    # Swap two whole entries: signatures still hold, the hashes do not.
    first, second = ledger.get(LogEntry, 1), ledger.get(LogEntry, 3)
    assert first and second
    first.data, second.data = second.data, first.data
    ledger.flush()
    problem = audit(db=ledger, origin=ORIGIN, bundle=identity[0])
    assert problem is not None and (problem.where, problem.code) == ("entry 1", "hash_mismatch")


def test_audit_finds_a_deleted_entry(ledger: Session, identity: tuple) -> None:
    ledger.execute(delete(LogEntry).where(LogEntry.position == 5))
    problem = audit(db=ledger, origin=ORIGIN, bundle=identity[0])
    assert problem is not None and (problem.where, problem.code) == ("entry 5", "missing_entry")


def test_audit_finds_a_forged_checkpoint(ledger: Session, identity: tuple) -> None:
    stranger_key = generate_key()
    stranger = CertificateAuthority.create().issue(
        Organisation("上海市知识产权局", Role.REGIONAL, "310000"), stranger_key.public_key()
    )
    fake = SignedNote(Checkpoint(ORIGIN, 6, b"\x01" * 32).body(), ()).signed_by(
        stranger_key, stranger
    )
    ledger.execute(
        update(StoredCheckpoint).where(StoredCheckpoint.size == 6).values(note=str(fake))
    )
    problem = audit(db=ledger, origin=ORIGIN, bundle=identity[0])
    assert problem is not None and (problem.where, problem.code) == (
        "checkpoint 6",
        "unsigned_note",
    )


def test_audit_finds_a_checkpoint_of_another_history(ledger: Session, identity: tuple) -> None:
    bundle, key, certificate, _ = identity
    other = SignedNote(Checkpoint(ORIGIN, 6, b"\x02" * 32).body(), ()).signed_by(key, certificate)
    ledger.execute(
        update(StoredCheckpoint).where(StoredCheckpoint.size == 6).values(note=str(other))
    )
    problem = audit(db=ledger, origin=ORIGIN, bundle=bundle)
    assert problem is not None and (problem.where, problem.code) == (
        "checkpoint 6",
        "root_mismatch",
    )


def test_audit_finds_tampered_state(ledger: Session, identity: tuple) -> None:
    ledger.execute(
        update(StateEntry)
        .where(StateEntry.key == "mark/M1")
        .values(value={"issuer": "上海市知识产权局", "status": "active"})
    )
    problem = audit(db=ledger, origin=ORIGIN, bundle=identity[0])
    assert problem is not None and problem.code == "state_mismatch"
    assert ledger.scalars(select(StateEntry.key)).all()


def test_ledger_verify_command(tmp_path: Path, identity: tuple) -> None:
    """`ipfed ledger verify` on a node's own SQLite database: 0 when sound, 1 naming the entry."""
    runner = CliRunner()
    bundle = identity[0]
    init = runner.invoke(
        app,
        [
            "node",
            "init",
            "-d",
            str(tmp_path),
            "--node-id",
            "sh",
            "--role",
            "regional",
            "--region",
            "310000",
        ],
    )
    assert init.exit_code == 0, init.output
    assert runner.invoke(app, ["ledger", "verify", "-d", str(tmp_path)]).exit_code == 2  # no bundle
    (tmp_path / "identity").mkdir()
    (tmp_path / "identity" / "trust-bundle.json").write_text(bundle.to_json(), encoding="utf-8")
    settings = NodeSettings.load(tmp_path)
    sessions = make_session_factory(make_engine(settings.db_url))
    with transaction(sessions) as db:
        record(
            db=db,
            origin=settings.origin,
            bundle=bundle,
            transactions=[
                make(identity, TxType.EVIDENCE_CAPTURED, sha256=digest(f"e{i}")) for i in range(3)
            ],
        )
    result = runner.invoke(app, ["ledger", "verify", "-d", str(tmp_path)])
    assert result.exit_code == 0 and "3 entries" in result.output

    prove_args = ["ledger", "prove", "2", "--out", str(tmp_path / "r.json"), "-d", str(tmp_path)]
    assert runner.invoke(app, prove_args).exit_code == 2  # no signed checkpoint yet
    with transaction(sessions) as db:
        sign_checkpoint(db=db, origin=settings.origin, key=identity[1], certificate=identity[2])
    assert runner.invoke(app, prove_args).exit_code == 0
    (tmp_path / "bundle.json").write_text(bundle.to_json(), encoding="utf-8")
    check = ["ledger", "check-receipt", str(tmp_path / "r.json"), "--bundle"]
    assert runner.invoke(app, [*check, str(tmp_path / "bundle.json")]).exit_code == 0
    with transaction(sessions) as db:
        _edit(db, 1, {"nonce": "f" * 32})
    result = runner.invoke(app, ["ledger", "verify", "-d", str(tmp_path)])
    assert result.exit_code == 1 and "entry 1" in result.output and "bad_signature" in result.output


def test_receipts_verify_offline(ledger: Session, identity: tuple, tmp_path: Path) -> None:
    bundle, _, _, authority = identity
    receipt = prove(db=ledger, origin=ORIGIN, position=7)
    text = receipt.model_dump_json()
    assert Receipt.parse(text).verify(bundle).region_code == "310000"

    with pytest.raises(UntrustedIdentity) as raised:
        Receipt.parse(text).verify(bundle, witnessed=True)
    assert raised.value.code == "not_witnessed"
    with pytest.raises(InvalidProof):
        Receipt.parse(text).model_copy(update={"position": 6}).verify(bundle)
    with pytest.raises(LedgerError):
        prove(db=ledger, origin=ORIGIN, position=9)  # not in a signed checkpoint yet

    # The national node cosigns the checkpoint: now the receipt is witnessed.
    national_key = generate_key("ed25519")
    national = authority.issue(
        Organisation("国家知识产权局", Role.NATIONAL, "100000"), national_key.public_key()
    )
    federation = TrustBundle(authority.certificate, [*bundle.by_key_id.values(), national])
    cosigned = SignedNote.parse(receipt.checkpoint).signed_by(national_key, national)
    witnessed = receipt.model_copy(update={"checkpoint": str(cosigned)})
    assert witnessed.verify(federation, witnessed=True).name == "上海市知识产权局"

    runner = CliRunner()
    (tmp_path / "bundle.json").write_text(federation.to_json(), encoding="utf-8")
    (tmp_path / "receipt.json").write_text(witnessed.model_dump_json(), encoding="utf-8")

    def check(*extra: str) -> int:
        args = ["ledger", "check-receipt", str(tmp_path / "receipt.json"), "--bundle"]
        return runner.invoke(app, [*args, str(tmp_path / "bundle.json"), *extra]).exit_code

    assert check("--witnessed") == 0
    (tmp_path / "receipt.json").write_text(text.replace('"position":7', '"position":5'))
    assert check() == 1
    (tmp_path / "receipt.json").write_text("{}")
    assert check() == 2


def test_receipts_name_their_ledger_and_unnamed_ones_keep_their_bytes(
    ledger: Session, identity: tuple
) -> None:
    bundle = identity[0]
    receipt = prove(db=ledger, origin=ORIGIN, position=3)
    data = json.loads(receipt.model_dump_json())
    assert (data["backend"], data["ledger"]) == ("embedded", ORIGIN)

    # A receipt issued before receipts named their ledger: it verifies, and its bytes
    # (which envelopes sign) come back unchanged.
    unnamed = {k: v for k, v in data.items() if k not in ("backend", "ledger")}
    old = Receipt.parse(json.dumps(unnamed))
    assert old.backend is None and old.verify(bundle).region_code == "310000"
    assert old.model_dump(mode="json") == unnamed

    with pytest.raises(InvalidProof) as wrong:
        receipt.model_copy(update={"ledger": "ipfed/330000/zj"}).verify(bundle)
    assert wrong.value.code == "wrong_ledger"
    with pytest.raises(LedgerError) as unknown:
        receipt.model_copy(update={"backend": "fabric"}).verify(bundle)
    assert unknown.value.code == "unknown_backend"
