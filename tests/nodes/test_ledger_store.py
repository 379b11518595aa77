"""The log stored in the node's database, on SQLite and PostgreSQL: the same
behaviour as the reference, and appends that land whole or not at all."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipfed.ledger.errors import LedgerError
from ipfed.ledger.log import MemoryStore, TransparencyLog
from ipfed.ledger.merkle import verify_consistency, verify_inclusion
from ipfed.nodes.ledger.models import LogEntry, LogNode
from ipfed.nodes.ledger.store import SqlLogStore


def test_the_stored_log_matches_the_reference(db: Session) -> None:
    stored = TransparencyLog(SqlLogStore(db), "ipfed/310000/sh")
    reference = TransparencyLog(MemoryStore(), "ipfed/310000/sh")
    for batch in (1, 2, 5, 13, 1, 40):
        entries = [f"tx {stored.size + i}".encode() for i in range(batch)]
        assert stored.append(entries) == reference.append(entries)
    size = stored.size
    assert size == 62 and stored.root() == reference.root()
    for index in (0, 31, 61):
        proof = stored.inclusion_proof(index)
        assert proof == reference.inclusion_proof(index)
        verify_inclusion(index, size, reference.store.nodes[(0, index)], proof, stored.root())
    for older in (1, 32, 61):
        proof = stored.consistency_proof(older)
        verify_consistency(older, size, stored.root(older), stored.root(), proof)
    assert SqlLogStore(db).entry(5) == b"tx 5"


def test_a_failed_append_leaves_the_log_as_it_was(db: Session) -> None:
    log = TransparencyLog(SqlLogStore(db), "ipfed/310000/sh")
    log.append([b"a", b"b", b"c"])
    db.commit()
    root = log.root()
    with pytest.raises(LedgerError):
        SqlLogStore(db).append(1, [b"x"], [])  # not at the end
    # A node that already exists makes the whole batch fail in the database.
    savepoint = db.begin_nested()
    with pytest.raises(Exception):  # noqa: B017 - the driver's IntegrityError
        SqlLogStore(db).append(3, [b"d"], [(0, 3, b"\x00" * 32), (0, 0, b"\x00" * 32)])
    savepoint.rollback()
    assert db.scalar(select(func.count()).select_from(LogEntry)) == 3
    assert db.scalar(select(func.count()).select_from(LogNode)) == 4  # 3 leaves and 1 pair
    assert log.root() == root
