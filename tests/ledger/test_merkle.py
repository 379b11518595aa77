"""RFC 9162 proofs: the published test vectors, and properties over many tree sizes."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipfed.ledger.errors import InvalidProof, MalformedData
from ipfed.ledger.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from ipfed.ledger.proofs import parse_proof

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "rfc9162-merkle"
FILES = sorted(
    f.relative_to(VECTORS)
    for kind in ("inclusion", "consistency")
    for f in (VECTORS / kind).rglob("*.json")
)


def test_every_vector_file_is_found() -> None:
    assert len(FILES) > 150


@pytest.mark.parametrize("name", FILES, ids=str)
def test_conformance_vectors(name: Path) -> None:
    data = (VECTORS / name).read_bytes()
    want_error = json.loads(data)["wantErr"]
    try:
        parse_proof(data).verify()
        accepted = True
    except (InvalidProof, MalformedData):
        accepted = False
    assert accepted is not want_error


def tree_of(size: int) -> tuple[MemoryTree, list[bytes]]:
    tree = MemoryTree()
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    for leaf in leaves:
        tree.append(leaf)
    return tree, leaves


def test_known_roots() -> None:
    # RFC 6962 test data: the 8 leaves "", 0x00, 0x10, 0x2021, ... of the CT reference tests.
    leaves = [
        bytes.fromhex(h)
        for h in (
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        )
    ]
    tree = MemoryTree()
    for leaf in leaves:
        tree.append(leaf_hash(leaf))
    assert tree.root().hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    assert MemoryTree().root() == EMPTY_ROOT


def test_the_tree_agrees_with_the_definition_for_every_size() -> None:
    tree, leaves = tree_of(70)
    for size in range(71):
        assert tree.root(size) == root_of(leaves[:size])


@settings(max_examples=200, deadline=None)
@given(data=st.data(), size=st.integers(1, 3000))
def test_proofs_verify_for_any_size_and_leaf(data: st.DataObject, size: int) -> None:
    tree, leaves = tree_of(size)
    index = data.draw(st.integers(0, size - 1))
    verify_inclusion(index, size, leaves[index], tree.inclusion_proof(index), tree.root())
    older = data.draw(st.integers(1, size))
    verify_consistency(older, size, tree.root(older), tree.root(), tree.consistency_proof(older))


def flip(value: bytes, bit: int) -> bytes:
    changed = bytearray(value)
    changed[bit // 8] ^= 1 << (bit % 8)
    return bytes(changed)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), size=st.integers(2, 600))
def test_any_flipped_bit_is_rejected(data: st.DataObject, size: int) -> None:
    tree, leaves = tree_of(size)
    index = data.draw(st.integers(0, size - 1))
    proof, root = tree.inclusion_proof(index), tree.root()
    bit = data.draw(st.integers(0, 255))
    with pytest.raises(InvalidProof):
        verify_inclusion(index, size, flip(leaves[index], bit), proof, root)
    with pytest.raises(InvalidProof):
        verify_inclusion(index, size, leaves[index], proof, flip(root, bit))
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        bad = [*proof[:at], flip(proof[at], bit), *proof[at + 1 :]]
        with pytest.raises(InvalidProof):
            verify_inclusion(index, size, leaves[index], bad, root)

    older = data.draw(st.integers(1, size - 1))
    proof, old_root = tree.consistency_proof(older), tree.root(older)
    with pytest.raises(InvalidProof):
        verify_consistency(older, size, flip(old_root, bit), root, proof)
    with pytest.raises(InvalidProof):
        verify_consistency(older, size, old_root, flip(root, bit), proof)
    at = data.draw(st.integers(0, len(proof) - 1))
    bad = [*proof[:at], flip(proof[at], bit), *proof[at + 1 :]]
    with pytest.raises(InvalidProof):
        verify_consistency(older, size, old_root, root, bad)


def test_a_forked_history_has_no_consistency_proof() -> None:
    honest, _ = tree_of(10)
    forked = MemoryTree()
    for i in range(10):
        forked.append(leaf_hash(b"rewritten" if i == 3 else i.to_bytes(4, "big")))
    with pytest.raises(InvalidProof, match="first root"):
        verify_consistency(5, 10, honest.root(5), forked.root(), forked.consistency_proof(5))


def test_unreadable_proofs() -> None:
    for text in (b"", b"[]", b'{"leafIdx": 0, "treeSize": 1, "root": "!!", "leafHash": ""}', b"{"):
        with pytest.raises(MalformedData):
            parse_proof(text)
