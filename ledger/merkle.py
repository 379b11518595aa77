"""RFC 9162 Merkle tree hashing, and inclusion and consistency proofs.

Pure functions over 32-byte SHA-256 hashes. Proof *generation* takes a
``RangeHash`` callable, the root of any subtree the RFC's recursion asks for,
so that any store of node hashes (memory, SQL) can produce proofs; proof
*verification* needs nothing but the proof (RFC 9162 §2.1.3.2 and §2.1.4.2).
"""

import hashlib
from collections.abc import Callable, Sequence

from ipfed.ledger.errors import InvalidProof

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

RangeHash = Callable[[int, int], bytes]  # (start, end) -> MTH(D[start:end])
# The hash of a complete subtree: leaves [index * 2**level, (index + 1) * 2**level).
Subtree = Callable[[int, int], bytes]  # (level, index) -> hash
Node = tuple[int, int, bytes]  # level, index, hash


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(size: int) -> int:
    """The largest power of two smaller than ``size`` (size >= 2): where the RFC splits."""
    return 1 << ((size - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (the reference definition; O(n))."""
    if not leaf_hashes:
        return EMPTY_ROOT
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = split(len(leaf_hashes))
    return node_hash(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


def range_hash(subtree: Subtree, start: int, end: int) -> bytes:
    """MTH of leaves [start, end), from complete subtrees, as the RFC recursion splits it."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        return subtree(size.bit_length() - 1, start // size)
    k = split(size)
    return node_hash(range_hash(subtree, start, start + k), range_hash(subtree, start + k, end))


def new_nodes(size: int, leaves: Sequence[bytes], subtree: Subtree) -> list[Node]:
    """The complete subtrees made by appending ``leaves`` to a tree of ``size`` leaves."""
    nodes: list[Node] = []
    made: dict[tuple[int, int], bytes] = {}
    for offset, leaf in enumerate(leaves):
        index, level, value = size + offset, 0, leaf
        made[(0, index)] = leaf
        nodes.append((0, index, leaf))
        while index & 1:
            left = made.get((level, index - 1)) or subtree(level, index - 1)
            value = node_hash(left, value)
            level, index = level + 1, index >> 1
            made[(level, index)] = value
            nodes.append((level, index, value))
    return nodes


# --- generation -------------------------------------------------------------


def inclusion_proof(index: int, size: int, range_hash: RangeHash) -> list[bytes]:
    """PATH(index, D[0:size]), leaf side first."""
    if not 0 <= index < size:
        raise InvalidProof(f"leaf {index} is not in a tree of size {size}", code="out_of_range")
    proof: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            proof.append(range_hash(start + k, end))
            end = start + k
        else:
            proof.append(range_hash(start, start + k))
            start += k
    proof.reverse()
    return proof


def consistency_proof(size1: int, size2: int, range_hash: RangeHash) -> list[bytes]:
    """PROOF(size1, D[0:size2]) of RFC 9162 §2.1.4.1."""
    if not 0 < size1 <= size2:
        raise InvalidProof(
            f"no consistency proof from size {size1} to {size2}", code="out_of_range"
        )
    proof: list[bytes] = []
    start, end, complete = 0, size2, True  # SUBPROOF(m, D[start:end], b)
    m = size1
    while m != end - start:
        k = split(end - start)
        if m <= k:
            proof.append(range_hash(start + k, end))
            end = start + k
        else:
            proof.append(range_hash(start, start + k))
            start, m, complete = start + k, m - k, False
    if not complete:
        proof.append(range_hash(start, end))
    proof.reverse()
    return proof


# --- verification -----------------------------------------------------------
#
# RFC 9162 §2.1.3.2 and §2.1.4.2 walk a proof with two shifting counters. The
# walk always splits the same way (as transparency-dev/merkle does it): below
# the level where the paths to the leaf and to the tree's last leaf join
# ("inner" levels), each bit of the index says on which side the sibling is;
# above it, on the tree's right border, every sibling is on the left and there
# is one per set bit of what remains of the index. So the proof's length is
# known at once, and the loops do nothing but hash.

_HASH_SIZES = {HASH_SIZE}


def _check_hashes(*hashes: bytes, proof: Sequence[bytes]) -> None:
    if not set(map(len, hashes)) | set(map(len, proof)) <= _HASH_SIZES:
        raise InvalidProof(f"hashes are {HASH_SIZE} bytes long", code="bad_hash")


def _check_length(proof: Sequence[bytes], expected: int, what: str) -> None:
    if len(proof) > expected:
        raise InvalidProof(f"the proof is longer than {what}", code="proof_too_long")
    if len(proof) < expected:
        raise InvalidProof(f"the proof is shorter than {what}", code="proof_too_short")


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise :class:`InvalidProof` unless ``leaf`` is at ``index`` of the tree with ``root``."""
    _check_hashes(leaf, root, proof=proof)
    if not 0 <= index < size:
        raise InvalidProof(f"leaf {index} is not in a tree of size {size}", code="out_of_range")
    inner = (index ^ (size - 1)).bit_length()
    _check_length(proof, inner + (index >> inner).bit_count(), "the tree is deep")
    sha256 = hashlib.sha256  # the hot loop of every verification: no calls but hashing
    r = leaf
    for p in proof[:inner]:
        r = sha256(b"\x01" + p + r if index & 1 else b"\x01" + r + p).digest()
        index >>= 1
    for p in proof[inner:]:
        r = sha256(b"\x01" + p + r).digest()
    if r != root:
        raise InvalidProof("the proof leads to another root", code="root_mismatch")


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Raise :class:`InvalidProof` unless the tree ``root2`` of ``size2`` extends ``root1``."""
    if size1 > size2:
        raise InvalidProof(f"size {size1} is after size {size2}", code="out_of_range")
    if size1 == 0:
        raise InvalidProof("every tree extends the empty tree: nothing to prove", code="empty_tree")
    if size1 == size2:
        if proof:
            raise InvalidProof("equal sizes take an empty proof", code="proof_too_long")
        if root1 != root2:
            raise InvalidProof("two different roots for one size", code="root_mismatch")
        return
    if not proof:
        raise InvalidProof("growing trees take a non-empty proof", code="proof_too_short")
    _check_hashes(root1, root2, proof=proof)
    # The walk is the inclusion walk of leaf size1 - 1 in the tree of size2,
    # started above the complete subtree that this leaf closes (its trailing
    # set bits): from the proof's first hash, or from root1 when size1 is a
    # power of two and that subtree is the whole first tree.
    last = size1 - 1
    shift = (size1 & -size1).bit_length() - 1
    inner = (last ^ (size2 - 1)).bit_length()
    border = (last >> inner).bit_count()
    inner -= shift
    if size1 == 1 << shift:
        seed, path = root1, proof
    else:
        seed, path = proof[0], proof[1:]
    _check_length(path, inner + border, "needed")
    sha256 = hashlib.sha256  # as in verify_inclusion: the hot loop only hashes
    fr = sr = seed
    mask = last >> shift
    for c in path[:inner]:
        if mask & 1:
            fr = sha256(b"\x01" + c + fr).digest()
            sr = sha256(b"\x01" + c + sr).digest()
        else:
            sr = sha256(b"\x01" + sr + c).digest()
        mask >>= 1
    for c in path[inner:]:
        fr = sha256(b"\x01" + c + fr).digest()
        sr = sha256(b"\x01" + c + sr).digest()
    if fr != root1:
        raise InvalidProof("the proof does not lead to the first root", code="root_mismatch")
    if sr != root2:
        raise InvalidProof("the proof does not lead to the second root", code="root_mismatch")


class MemoryTree:
    """An append-only tree in memory holding every complete subtree's hash.

    ``levels[h][i]`` is the root of leaves ``[i * 2**h, (i + 1) * 2**h)``, so any
    range the RFC recursion asks for costs O(log n) lookups.
    """

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = [[]]

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> None:
        """Add a leaf hash, and the hashes of the subtrees it completes."""
        for level, _, value in new_nodes(self.size, [leaf], self.subtree):
            if level == len(self.levels):
                self.levels.append([])
            self.levels[level].append(value)

    def subtree(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def range_hash(self, start: int, end: int) -> bytes:
        return range_hash(self.subtree, start, end)

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        return self.range_hash(0, size) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self.size if size is None else size, self.range_hash)

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        return consistency_proof(size1, self.size if size2 is None else size2, self.range_hash)
