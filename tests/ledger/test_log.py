"""The transparency log over a store: roots and proofs agree with the reference tree,
and a log only ever grows at its end."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.identity import CertificateAuthority, Organisation, Role, generate_key
from ipfed.ledger.log import MemoryStore, TransparencyLog
from ipfed.ledger.merkle import leaf_hash, root_of, verify_consistency, verify_inclusion
from ipfed.ledger.note import SignedNote
from ipfed.ledger.trust import TrustBundle


@settings(max_examples=40, deadline=None)
@given(batches=st.lists(st.integers(1, 40), min_size=1, max_size=12), data=st.data())
def test_batched_appends_match_the_definition(batches: list[int], data: st.DataObject) -> None:
    log = TransparencyLog(MemoryStore(), "ipfed/310000/sh")
    entries: list[bytes] = []
    for count in batches:
        batch = [f"tx {len(entries) + i}".encode() for i in range(count)]
        assert log.append(batch) == len(entries)
        entries += batch
    leaves = [leaf_hash(e) for e in entries]
    size = len(entries)
    assert log.root() == root_of(leaves)
    index = data.draw(st.integers(0, size - 1))
    verify_inclusion(index, size, leaves[index], log.inclusion_proof(index), log.root())
    older = data.draw(st.integers(1, size))
    verify_consistency(older, size, log.root(older), log.root(), log.consistency_proof(older))


def test_appends_start_at_the_end() -> None:
    store = MemoryStore()
    TransparencyLog(store, "ipfed/x").append([b"a", b"b"])
    with pytest.raises(ValueError):
        store.append(1, [b"c"], [])


def test_signed_checkpoint() -> None:
    authority = CertificateAuthority.create()
    key = generate_key()
    certificate = authority.issue(Organisation("sh", Role.REGIONAL, "310000"), key.public_key())
    log = TransparencyLog(MemoryStore(), "ipfed/310000/sh")
    log.append([b"lead", b"mark"])
    note = SignedNote.parse(str(log.signed_checkpoint(key, certificate)))
    assert note.verify(TrustBundle(authority.certificate, [certificate]))[0].region_code == "310000"
    assert Checkpoint.parse(note.text) == log.checkpoint()
