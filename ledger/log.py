"""An append-only transparency log over any store of entries and subtree hashes.

The store keeps, for every complete subtree, its hash (level h, index i: the
root of leaves ``[i * 2**h, (i + 1) * 2**h)``). An append writes the new
entries and the subtree hashes they complete in one atomic call, so a log is
always either as it was or fully appended; proofs need O(log n) lookups.
"""

from collections.abc import Callable, Collection, Sequence
from typing import Protocol

from cryptography import x509

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.identity import PrivateKey
from ipfed.ledger.merkle import (
    EMPTY_ROOT,
    Node,
    RangeHash,
    Subtree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    new_nodes,
    range_hash,
    split,
)
from ipfed.ledger.note import SignedNote


class LogStore(Protocol):
    def size(self) -> int: ...

    def entry(self, index: int) -> bytes: ...

    def subtree(self, level: int, index: int) -> bytes: ...

    def subtrees(self, keys: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Several subtree hashes at once, keyed by (level, index)."""
        ...

    def append(self, first: int, entries: Sequence[bytes], nodes: Sequence[Node]) -> None:
        """Store entries ``first..`` and their nodes atomically; refuse if ``first`` != size."""
        ...


def subtrees_of(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees (level, index) whose hashes make MTH(leaves[start:end])."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        return [(size.bit_length() - 1, start // size)]
    k = split(size)
    return subtrees_of(start, start + k) + subtrees_of(start + k, end)


def _getter(nodes: dict[tuple[int, int], bytes]) -> Subtree:
    return lambda level, index: nodes[(level, index)]


def _with_hashes(store: LogStore, build: Callable[[RangeHash], list[bytes]]) -> list[bytes]:
    """Run a proof builder twice: once to learn the subtrees it needs, then with
    all of them fetched in one call (one query, for a database store)."""
    wanted: set[tuple[int, int]] = set()

    def record(start: int, end: int) -> bytes:
        wanted.update(subtrees_of(start, end))
        return EMPTY_ROOT

    build(record)
    nodes = store.subtrees(wanted)
    return build(lambda start, end: range_hash(_getter(nodes), start, end))


class TransparencyLog:
    def __init__(self, store: LogStore, origin: str) -> None:
        self.store = store
        self.origin = origin

    @property
    def size(self) -> int:
        return self.store.size()

    def append(self, entries: Sequence[bytes]) -> int:
        """Append ``entries``; returns the index of the first."""
        first = self.store.size()
        leaves = [leaf_hash(e) for e in entries]
        self.store.append(first, entries, new_nodes(first, leaves, self.store.subtree))
        return first

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        return (
            range_hash(_getter(self.store.subtrees(subtrees_of(0, size))), 0, size)
            if size
            else EMPTY_ROOT
        )

    def checkpoint(self, size: int | None = None) -> Checkpoint:
        size = self.size if size is None else size
        return Checkpoint(self.origin, size, self.root(size))

    def signed_checkpoint(self, key: PrivateKey, certificate: x509.Certificate) -> SignedNote:
        return SignedNote(self.checkpoint().body(), ()).signed_by(key, certificate)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        size = self.size if size is None else size
        return _with_hashes(self.store, lambda hashes: inclusion_proof(index, size, hashes))

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        size2 = self.size if size2 is None else size2
        return _with_hashes(self.store, lambda hashes: consistency_proof(size1, size2, hashes))


class MemoryStore:
    """A :class:`LogStore` in memory, for tests and tools."""

    def __init__(self) -> None:
        self.entries: list[bytes] = []
        self.nodes: dict[tuple[int, int], bytes] = {}

    def size(self) -> int:
        return len(self.entries)

    def entry(self, index: int) -> bytes:
        return self.entries[index]

    def subtree(self, level: int, index: int) -> bytes:
        return self.nodes[(level, index)]

    def subtrees(self, keys: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        return {key: self.nodes[key] for key in keys}

    def append(self, first: int, entries: Sequence[bytes], nodes: Sequence[Node]) -> None:
        if first != len(self.entries):
            raise ValueError(f"the log has {len(self.entries)} entries, not {first}")
        self.entries.extend(entries)
        self.nodes.update({(level, index): value for level, index, value in nodes})
