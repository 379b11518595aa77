"""The node's ledger: record signed transactions through the contract, sign
checkpoints, and audit the whole stored log."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography import x509
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ipfed.ledger.canonical import parse_canonical
from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.contract import ContractViolation, apply, reads
from ipfed.ledger.errors import LedgerError
from ipfed.ledger.identity import PrivateKey
from ipfed.ledger.log import TransparencyLog
from ipfed.ledger.merkle import MemoryTree, leaf_hash
from ipfed.ledger.note import SignedNote
from ipfed.ledger.owner import verify_checkpoint
from ipfed.ledger.receipts import EMBEDDED, Receipt
from ipfed.ledger.transactions import Transaction
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.database.bulk import bulk_insert
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.ledger.models import LogEntry, LogNode, StateEntry, StoredCheckpoint
from ipfed.nodes.ledger.store import SqlLogStore

MAX_CLOCK_SKEW = timedelta(minutes=10)


def node_log(*, db: Session, origin: str) -> TransparencyLog:
    return TransparencyLog(SqlLogStore(db), origin)


def record(
    *, db: Session, origin: str, bundle: TrustBundle, transactions: Sequence[Transaction]
) -> int:
    """Check every transaction (time, signature, contract) and append them all, or none.

    A transaction's time must be close to now: signatures are checked against the
    certificates' validity at that time, so a backdated one could outlive a revocation.
    Returns the log position of the first.
    """
    now = utcnow()
    for tx in transactions:
        if abs(tx.timestamp - now) > MAX_CLOCK_SKEW:
            raise LedgerError(
                f"transaction time {tx.timestamp.isoformat()} is too far from now",
                code="untimely_transaction",
            )
    signers = [tx.verify(bundle) for tx in transactions]
    keys = sorted(set().union(*(reads(tx) for tx in transactions)))
    stored: dict[str, Any] = {}
    for chunk in range(0, len(keys), 500):
        wanted = keys[chunk : chunk + 500]
        rows = db.execute(
            select(StateEntry.key, StateEntry.value).where(StateEntry.key.in_(wanted))
        )
        stored.update({key: value for key, value in rows})
    world = dict(stored)
    written: dict[str, Any] = {}
    for tx, signer in zip(transactions, signers, strict=True):
        writes = apply(world, tx, signer)
        world.update(writes)
        written.update(writes)
    changed = [{"key": k, "value": v} for k, v in written.items() if k in stored]
    if changed:
        db.execute(update(StateEntry), changed)
    bulk_insert(
        db, StateEntry, [{"key": k, "value": v} for k, v in written.items() if k not in stored]
    )
    return node_log(db=db, origin=origin).append([tx.entry() for tx in transactions])


def sign_checkpoint(
    *, db: Session, origin: str, key: PrivateKey, certificate: x509.Certificate
) -> SignedNote:
    """The signed checkpoint of the log as it is now (the stored one, if the log has not grown)."""
    log = node_log(db=db, origin=origin)
    stored = db.get(StoredCheckpoint, log.size)
    if stored is not None:
        return SignedNote.parse(stored.note)
    note = log.signed_checkpoint(key, certificate)
    db.add(StoredCheckpoint(size=log.size, note=str(note)))
    return note


def store_cosigned(*, db: Session, note: SignedNote) -> SignedNote:
    """Add a witness's cosignature to the stored copy of one of our checkpoints."""
    size = Checkpoint.parse(note.text).size
    stored = db.get(StoredCheckpoint, size)
    if stored is None or SignedNote.parse(stored.note).text != note.text:
        raise LedgerError(f"we signed no such checkpoint at size {size}", code="not_our_checkpoint")
    merged = SignedNote.parse(stored.note).merged(note)
    stored.note = str(merged)
    return merged


def latest_checkpoint(*, db: Session) -> SignedNote | None:
    stored = db.scalars(select(StoredCheckpoint).order_by(StoredCheckpoint.size.desc())).first()
    return SignedNote.parse(stored.note) if stored else None


def prove(*, db: Session, origin: str, position: int) -> Receipt:
    """A receipt for entry ``position`` in the latest signed checkpoint."""
    note = latest_checkpoint(db=db)
    size = Checkpoint.parse(note.text).size if note else 0
    if note is None or not 0 <= position < size:
        raise LedgerError(
            f"entry {position} is in no signed checkpoint (latest size {size})",
            code="not_checkpointed",
        )
    log = node_log(db=db, origin=origin)
    return Receipt(
        position=position,
        transaction=Transaction.model_validate(parse_canonical(log.store.entry(position))),
        inclusion_proof=log.inclusion_proof(position, size),
        checkpoint=str(note),
        backend=EMBEDDED,
        ledger=origin,
    )


@dataclass(frozen=True)
class Problem:
    where: str  # "entry 12", "subtree 3/1", "checkpoint 40"
    code: str
    message: str


def audit(
    *, db: Session, origin: str, bundle: TrustBundle, seen: Sequence[str] = ()
) -> Problem | None:
    """Re-derive everything stored from the entries: the first problem, or None.

    Every entry is re-hashed and its signature and contract rules re-checked
    from an empty state; every stored subtree hash and checkpoint must match,
    and every checkpoint must be signed by this log's office. ``seen`` are signed
    checkpoints of this log shown elsewhere (in receipts handed out, cosigned by
    witnesses): each must be one the log still has and still stores, so that a
    deleted or rolled-back checkpoint is found.
    """
    tree = MemoryTree()
    world: dict[str, Any] = {}
    entries = db.scalars(select(LogEntry).order_by(LogEntry.position)).yield_per(2000)
    for expected, entry in enumerate(entries):
        where = f"entry {entry.position}"
        if entry.position != expected:
            return Problem(f"entry {expected}", "missing_entry", "the log has a gap here")
        try:
            tx = Transaction.model_validate(parse_canonical(entry.data))
            signer = tx.verify(bundle)
            world.update(apply({k: world[k] for k in reads(tx) if k in world}, tx, signer))
        except ContractViolation as exc:
            return Problem(where, exc.code, f"breaks the contract: {exc.message}")
        except LedgerError as exc:
            return Problem(where, exc.code, exc.message)
        except ValidationError as exc:
            return Problem(where, "malformed_entry", str(exc).splitlines()[0])
        tree.append(leaf_hash(entry.data))

    for node in db.scalars(select(LogNode).order_by(LogNode.level, LogNode.index)).yield_per(5000):
        start, end = node.index << node.level, (node.index + 1) << node.level
        if end > tree.size:
            return Problem(f"subtree {node.level}/{node.index}", "stray_node", "beyond the log")
        if tree.range_hash(start, end) != node.hash:
            where = f"entry {start}" if node.level == 0 else f"subtree {node.level}/{node.index}"
            return Problem(where, "hash_mismatch", "the stored hash is not the entry's")

    try:
        stored_sizes = set()
        for stored in db.scalars(select(StoredCheckpoint).order_by(StoredCheckpoint.size)):
            where = f"checkpoint {stored.size}"
            if _checked(where, stored.note, origin, bundle, tree).size != stored.size:
                return Problem(where, "wrong_checkpoint", "the note is for another size")
            stored_sizes.add(stored.size)
        _check_seen(seen, origin, bundle, tree, stored_sizes)
    except _Found as found:
        return found.problem

    state = {e.key: e.value for e in db.scalars(select(StateEntry))}
    if state != world:
        return Problem("state", "state_mismatch", "the stored state is not the log's replay")
    return None


class _Found(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _checked(
    where: str, text: str, origin: str, bundle: TrustBundle, tree: MemoryTree
) -> Checkpoint:
    """A signed checkpoint of this log, by its office, with the log's root at its size."""
    try:
        checkpoint = verify_checkpoint(SignedNote.parse(text), bundle).checkpoint
    except LedgerError as exc:
        raise _Found(Problem(where, exc.code, exc.message)) from None
    if checkpoint.origin != origin:
        raise _Found(Problem(where, "wrong_checkpoint", f"the note is of {checkpoint.origin}"))
    if checkpoint.size > tree.size:
        message = f"the log has {tree.size} entries, fewer than {checkpoint.size}"
        raise _Found(Problem(where, "rolled_back", message))
    if checkpoint.root != tree.root(checkpoint.size):
        message = "the log does not have this root at this size"
        raise _Found(Problem(where, "root_mismatch", message))
    return checkpoint


def _check_seen(
    seen: Sequence[str], origin: str, bundle: TrustBundle, tree: MemoryTree, stored: set[int]
) -> None:
    """Every checkpoint of this log shown elsewhere is the log's own and is still stored."""
    latest = max(stored, default=None)
    for text in seen:
        size = _checked("a checkpoint seen elsewhere", text, origin, bundle, tree).size
        where = f"checkpoint {size} (seen elsewhere)"
        if size in stored:
            continue
        if latest is None:
            raise _Found(Problem(where, "missing_checkpoint", "no checkpoint is stored at all"))
        if size > latest:
            message = f"the latest checkpoint stored is {latest}"
            raise _Found(Problem(where, "rolled_back_checkpoint", message))
        raise _Found(Problem(where, "missing_checkpoint", "this checkpoint is no longer stored"))
