"""The log store in the node's database (a :class:`ipfed.ledger.log.LogStore`).

An append is part of the caller's transaction: entries and subtree hashes
commit together or not at all, and two appenders racing for the same
position cannot both succeed (the position is the primary key).
"""

from collections import defaultdict
from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipfed.ledger.errors import LedgerError
from ipfed.ledger.merkle import Node
from ipfed.nodes.database.bulk import bulk_insert
from ipfed.nodes.ledger.models import LogEntry, LogNode


class SqlLogStore:
    def __init__(self, db: Session) -> None:
        self.db = db

    def size(self) -> int:
        return int(self.db.scalar(select(func.coalesce(func.max(LogEntry.position) + 1, 0))) or 0)

    def entry(self, index: int) -> bytes:
        found = self.db.get(LogEntry, index)
        if found is None:
            raise LedgerError(f"the log has no entry {index}", code="no_entry")
        return found.data

    def subtree(self, level: int, index: int) -> bytes:
        found = self.db.get(LogNode, (level, index))
        if found is None:
            raise LedgerError(f"the log has no subtree {level}/{index}", code="missing_node")
        return found.hash

    def subtrees(self, keys: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        by_level: dict[int, list[int]] = defaultdict(list)
        for level, index in keys:
            by_level[level].append(index)
        # One query at the driver's level (proofs are on the hot path): each
        # (level = ? AND index IN (...)) term is answered from the primary key.
        connection = self.db.connection()
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        terms, params = [], []
        for level, indexes in by_level.items():
            terms.append(f'(level = {mark} AND "index" IN ({", ".join([mark] * len(indexes))}))')
            params += [level, *indexes]
        found: dict[tuple[int, int], bytes] = {}
        if terms:
            sql = f'SELECT level, "index", hash FROM ledger_nodes WHERE {" OR ".join(terms)}'
            rows = connection.exec_driver_sql(sql, tuple(params))
            found = {(level, index): bytes(value) for level, index, value in rows}
        missing = set(keys) - found.keys()
        if missing:
            level, index = min(missing)
            raise LedgerError(f"the log has no subtree {level}/{index}", code="missing_node")
        return found

    def append(self, first: int, entries: Sequence[bytes], nodes: Sequence[Node]) -> None:
        if first != self.size():
            raise LedgerError("the log grew meanwhile; append again", code="stale_append")
        rows = [{"position": first + offset, "data": e} for offset, e in enumerate(entries)]
        bulk_insert(self.db, LogEntry, rows)
        hashes = [{"level": level, "index": index, "hash": h} for level, index, h in nodes]
        bulk_insert(self.db, LogNode, hashes)
