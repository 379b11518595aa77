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
from ipfed.nodes.ledger.models import LogEntry, LogNode, StateEntry, StoredCheckpoint
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


# --- checkpoints bound to their log's office, and checkpoints that go missing ------------


@pytest.fixture(scope="module")
def zhejiang(identity: tuple) -> tuple:
    """Zhejiang's office, in the same federation: a trust bundle that knows both offices."""
    bundle, _, _, authority = identity
    key = generate_key()
    certificate = authority.issue(
        Organisation("浙江省知识产权局", Role.REGIONAL, "330000"), key.public_key()
    )
    federation = TrustBundle(authority.certificate, [*bundle.by_key_id.values(), certificate])
    return federation, key, certificate


def signed_only_by(note: str, key: object, certificate: object) -> str:
    """The same checkpoint (the honest root), with another key's signature instead."""
    return str(SignedNote(SignedNote.parse(note).text, ()).signed_by(key, certificate))  # type: ignore[arg-type]


def test_a_receipt_whose_checkpoint_zhejiang_signed_is_refused(
    ledger: Session, zhejiang: tuple, tmp_path: Path
) -> None:
    federation, zj_key, zj_certificate = zhejiang
    receipt = prove(db=ledger, origin=ORIGIN, position=7)
    forged = receipt.model_copy(
        update={"checkpoint": signed_only_by(receipt.checkpoint, zj_key, zj_certificate)}
    )
    assert receipt.verify(federation).name == "上海市知识产权局"
    with pytest.raises(UntrustedIdentity) as refused:
        forged.verify(federation)
    assert refused.value.code == "not_the_log_owner"

    (tmp_path / "bundle.json").write_text(federation.to_json(), encoding="utf-8")
    (tmp_path / "receipt.json").write_text(forged.model_dump_json(), encoding="utf-8")
    args = ["ledger", "check-receipt", str(tmp_path / "receipt.json")]
    result = CliRunner().invoke(app, [*args, "--bundle", str(tmp_path / "bundle.json")])
    assert result.exit_code == 1 and "not_the_log_owner" in result.output

    # Zhejiang's signature beside Shanghai's is a witness's cosignature: witnessed.
    cosigned = SignedNote.parse(receipt.checkpoint).signed_by(zj_key, zj_certificate)
    witnessed = receipt.model_copy(update={"checkpoint": str(cosigned)})
    assert witnessed.verify(federation, witnessed=True).name == "上海市知识产权局"


def test_audit_refuses_a_stored_checkpoint_signed_by_another_office(
    ledger: Session, zhejiang: tuple
) -> None:
    federation, zj_key, zj_certificate = zhejiang
    stored = ledger.get(StoredCheckpoint, 6)
    assert stored is not None and audit(db=ledger, origin=ORIGIN, bundle=federation) is None
    stored.note = signed_only_by(stored.note, zj_key, zj_certificate)
    ledger.flush()
    problem = audit(db=ledger, origin=ORIGIN, bundle=federation)
    assert problem is not None and (problem.where, problem.code) == (
        "checkpoint 6",
        "not_the_log_owner",
    )


def stored_notes(db: Session) -> dict[int, str]:
    return {c.size: c.note for c in db.scalars(select(StoredCheckpoint))}


def test_audit_finds_every_checkpoint_deleted(ledger: Session, identity: tuple) -> None:
    bundle = identity[0]
    shown = prove(db=ledger, origin=ORIGIN, position=7).checkpoint  # in a receipt handed out
    assert audit(db=ledger, origin=ORIGIN, bundle=bundle, seen=[shown]) is None
    ledger.execute(delete(StoredCheckpoint))
    problem = audit(db=ledger, origin=ORIGIN, bundle=bundle, seen=[shown])
    assert problem is not None and (problem.where, problem.code) == (
        "checkpoint 9 (seen elsewhere)",
        "missing_checkpoint",
    )


def test_audit_finds_a_gap_in_the_checkpoints(ledger: Session, identity: tuple) -> None:
    bundle = identity[0]
    shown = list(stored_notes(ledger).values())
    ledger.execute(delete(StoredCheckpoint).where(StoredCheckpoint.size == 6))
    problem = audit(db=ledger, origin=ORIGIN, bundle=bundle, seen=shown)
    assert problem is not None and (problem.where, problem.code) == (
        "checkpoint 6 (seen elsewhere)",
        "missing_checkpoint",
    )


def test_audit_finds_rolled_back_checkpoints(ledger: Session, identity: tuple) -> None:
    bundle = identity[0]
    shown = stored_notes(ledger)[9]
    ledger.execute(delete(StoredCheckpoint).where(StoredCheckpoint.size == 9))
    problem = audit(db=ledger, origin=ORIGIN, bundle=bundle, seen=[shown])
    assert problem is not None and (problem.where, problem.code) == (
        "checkpoint 9 (seen elsewhere)",
        "rolled_back_checkpoint",
    )

    # The log itself cut back to the last stored checkpoint: entries, subtrees and all.
    ledger.execute(delete(LogEntry).where(LogEntry.position >= 6))
    for node in ledger.scalars(select(LogNode)):
        if (node.index + 1) << node.level > 6:
            ledger.delete(node)
    ledger.flush()
    problem = audit(db=ledger, origin=ORIGIN, bundle=bundle, seen=[shown])
    assert problem is not None and (problem.where, problem.code) == (
        "a checkpoint seen elsewhere",
        "rolled_back",
    )


def test_a_checkpoint_shown_of_another_history_is_a_problem(
    ledger: Session, identity: tuple
) -> None:
    bundle, key, certificate, _ = identity
    other = SignedNote(Checkpoint(ORIGIN, 6, b"\x02" * 32).body(), ()).signed_by(key, certificate)
    problem = audit(db=ledger, origin=ORIGIN, bundle=bundle, seen=[str(other)])
    assert problem is not None and problem.code == "root_mismatch"


def test_ledger_verify_reports_forged_deleted_and_rolled_back_checkpoints(
    tmp_path: Path, identity: tuple, zhejiang: tuple
) -> None:
    """`ipfed ledger verify` on a node's own SQLite database, attacked three ways."""
    _, key, certificate, _ = identity
    federation, zj_key, zj_certificate = zhejiang
    runner = CliRunner()
    data_dir = tmp_path / "node"
    init = ["node", "init", "-d", str(data_dir), "--node-id", "sh", "--role", "regional"]
    assert runner.invoke(app, [*init, "--region", "310000"]).exit_code == 0
    (data_dir / "identity").mkdir()
    (data_dir / "identity" / "trust-bundle.json").write_text(federation.to_json(), "utf-8")
    settings = NodeSettings.load(data_dir)
    sessions = make_session_factory(make_engine(settings.db_url))
    for batch in range(2):
        with transaction(sessions) as db:
            record(
                db=db,
                origin=settings.origin,
                bundle=federation,
                transactions=[
                    make(identity, TxType.EVIDENCE_CAPTURED, sha256=digest(f"{batch}/{i}"))
                    for i in range(3)
                ],
            )
            sign_checkpoint(db=db, origin=settings.origin, key=key, certificate=certificate)
    with transaction(sessions) as db:
        receipt = prove(db=db, origin=settings.origin, position=4)
    (tmp_path / "receipt.json").write_text(receipt.model_dump_json(), encoding="utf-8")

    def verify(*extra: str) -> tuple[int, str]:
        result = runner.invoke(app, ["ledger", "verify", "-d", str(data_dir), *extra])
        return result.exit_code, result.output

    seen = ("--seen", str(tmp_path / "receipt.json"))
    assert verify(*seen) == (0, "the log of ipfed/310000/sh verifies: 6 entries\n")

    with transaction(sessions) as db:  # Zhejiang's signature on Shanghai's checkpoint
        stored = db.get(StoredCheckpoint, 3)
        assert stored is not None
        honest, stored.note = stored.note, signed_only_by(stored.note, zj_key, zj_certificate)
    code, output = verify()
    assert code == 1 and "checkpoint 3" in output and "not_the_log_owner" in output

    with transaction(sessions) as db:  # the latest checkpoint rolled back
        db.get(StoredCheckpoint, 3).note = honest  # type: ignore[union-attr]
        db.execute(delete(StoredCheckpoint).where(StoredCheckpoint.size == 6))
    assert verify() == (0, "the log of ipfed/310000/sh verifies: 6 entries\n")
    code, output = verify(*seen)
    assert code == 1 and "checkpoint 6" in output and "rolled_back_checkpoint" in output

    with transaction(sessions) as db:  # every checkpoint deleted
        db.execute(delete(StoredCheckpoint))
    code, output = verify(*seen)
    assert code == 1 and "missing_checkpoint" in output

    (tmp_path / "garbage").write_text("neither a receipt nor a note", encoding="utf-8")
    assert verify("--seen", str(tmp_path / "garbage"))[0] == 2
