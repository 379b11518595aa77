"""The ledger over HTTP: checkpoints, entries with inclusion proofs, consistency proofs
that verify with nothing but what the API returned."""

import base64
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.canonical import canonical_bytes
from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from ipfed.ledger.note import SignedNote
from ipfed.ledger.transactions import Transaction
from ipfed.nodes.app import create_app
from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.ledger.service import node_log, record, sign_checkpoint


@pytest.fixture
def client(
    engine: Engine, sessions: sessionmaker[Session], settings: NodeSettings, db: Session
) -> Iterator[tuple[TestClient, str]]:
    app = create_app(settings, engine)
    app.state.sessions = sessions
    _, secret = create_api_key(db=db, org="某电商平台", role=Role.PLATFORM)
    db.commit()
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client, secret


def test_checkpoint_entries_and_proofs(
    client: tuple[TestClient, str],
    db: Session,
    federation: tuple,
    settings: NodeSettings,
    evidence: Callable[[str, int], list[Transaction]],
) -> None:
    http, key_header = client[0], {"X-API-Key": client[1]}
    assert http.get("/ledger/checkpoint", headers=key_header).json()["error"] == "no_checkpoint"

    bundle, key, certificate = federation
    for count in (5, 3):
        transactions = evidence(str(count), count)
        record(db=db, origin=settings.origin, bundle=bundle, transactions=transactions)
        sign_checkpoint(db=db, origin=settings.origin, key=key, certificate=certificate)
    db.commit()

    note = SignedNote.parse(http.get("/ledger/checkpoint", headers=key_header).text)
    assert note.verify(bundle)[0].region_code == "310000"
    head = Checkpoint.parse(note.text)
    assert (head.origin, head.size) == ("ipfed/310000/sh", 8)

    entry = http.get("/ledger/entries/6", headers=key_header).json()
    proof = [base64.b64decode(h) for h in entry["inclusion_proof"]]
    leaf = leaf_hash(canonical_bytes(entry["transaction"]))
    verify_inclusion(6, entry["tree_size"], leaf, proof, head.root)

    params = {"first": 5, "second": 8}
    consistency = http.get("/ledger/consistency", params=params, headers=key_header).json()
    proof = [base64.b64decode(h) for h in consistency["proof"]]
    verify_consistency(5, 8, node_log(db=db, origin=settings.origin).root(5), head.root, proof)

    assert http.get("/ledger/entries/8", headers=key_header).json()["error"] == "no_entry"
    bad = http.get("/ledger/consistency", params={"first": 6, "second": 5}, headers=key_header)
    assert bad.status_code == 422 and bad.json()["error"] == "bad_sizes"
    assert http.get("/ledger/checkpoint").status_code == 401
