"""The national node witnesses regional checkpoints over HTTP: it cosigns only
checkpoints that extend the last one it cosigned, and records split views."""

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.identity import CertificateAuthority, Organisation, Role, generate_key
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.ledger.log import MemoryStore, TransparencyLog
from ipfed.ledger.note import SignedNote
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.app import create_app
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings

ORIGIN = "ipfed/310000/sh"


@pytest.fixture(scope="module")
def federation() -> dict:
    authority = CertificateAuthority.create()
    members = {}
    for name, role, region in (
        ("sh", Role.REGIONAL, "310000"),
        ("national", Role.NATIONAL, "100000"),
        ("platform", Role.PLATFORM, "310000"),
    ):
        key = generate_key()
        members[name] = (key, authority.issue(Organisation(name, role, region), key.public_key()))
    bundle = TrustBundle(authority.certificate, [c for _, c in members.values()])
    return {"bundle": bundle, **members}


@pytest.fixture
def witness(
    engine: Engine, sessions: sessionmaker[Session], db: Session, tmp_path: Path, federation: dict
) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    identity = tmp_path / "identity"
    identity.mkdir()
    key, certificate = federation["national"]
    write_private_key(identity / "org.key", key)
    write_certificate(identity / "org.pem", certificate)
    (identity / "trust-bundle.json").write_text(federation["bundle"].to_json(), encoding="utf-8")
    settings = NodeSettings(
        node_id="national",
        role="national",
        region_code="100000",
        org_name="国家知识产权局",
        data_dir=tmp_path,
        jobs_poll_seconds=0,  # in-process: no worker threads on the test's connection
    )
    app = create_app(settings, engine)
    app.state.sessions = sessions
    _, secret = create_api_key(db=db, org="上海市知识产权局", role=Role.REGIONAL)
    _, own = create_api_key(db=db, org="国家知识产权局", role=Role.NATIONAL)
    db.commit()
    with TestClient(app, raise_server_exceptions=False) as client:
        # a peer's key, and the key of the office that runs the node (it reads the alarms)
        yield client, {"X-API-Key": secret}, {"X-API-Key": own}


def regional_log(entries: list[bytes]) -> TransparencyLog:
    log = TransparencyLog(MemoryStore(), ORIGIN)
    log.append(entries)
    return log


def present(
    http: tuple, log: TransparencyLog, federation: dict, old_size: int, size: int | None = None
):
    client, headers, _ = http
    size = log.size if size is None else size
    key, certificate = federation["sh"]
    note = SignedNote(log.checkpoint(size).body(), ()).signed_by(key, certificate)
    proof = log.consistency_proof(old_size, size) if 0 < old_size < size else []
    body = {
        "old_size": old_size,
        "checkpoint": str(note),
        "proof": [base64.b64encode(p).decode() for p in proof],
    }
    return client.post("/witness/add-checkpoint", json=body, headers=headers)


def test_cosigning_a_growing_log(witness: tuple, federation: dict) -> None:
    entries = [f"tx {i}".encode() for i in range(8)]
    log = regional_log(entries[:5])
    first = present(witness, log, federation, 0)
    assert first.status_code == 200, first.text
    signers = SignedNote.parse(first.text).verify(federation["bundle"])
    assert [s.role for s in signers] == [Role.REGIONAL, Role.NATIONAL]

    log.append(entries[5:])
    stale = present(witness, log, federation, 0)
    assert stale.status_code == 409 and stale.json()["error"] == "stale_old_size"
    assert "5" in stale.json()["detail"]
    assert present(witness, log, federation, 5).status_code == 200
    logs = witness[0].get("/witness/logs", headers=witness[1]).json()["items"]
    assert [(w["origin"], w["size"]) for w in logs] == [(ORIGIN, 8)]
    assert witness[0].get("/alarms", headers=witness[1]).status_code == 403  # not its office
    assert witness[0].get("/alarms", headers=witness[2]).json()["items"] == []


def test_a_forked_log_raises_an_alarm(witness: tuple, federation: dict) -> None:
    honest = regional_log([f"tx {i}".encode() for i in range(6)])
    assert present(witness, honest, federation, 0).status_code == 200

    forked = regional_log([b"tx 0", b"tx 1", b"tx 2", b"rewritten", b"tx 4", b"tx 5", b"tx 6"])
    grown = present(witness, forked, federation, 6)  # a valid proof, but of another history
    assert grown.status_code == 422 and grown.json()["error"] == "split_view"
    same_size = present(witness, forked, federation, 6, size=6)  # same size, other root
    assert same_size.status_code == 422 and same_size.json()["error"] == "split_view"

    alarms = witness[0].get("/alarms", headers=witness[2]).json()["items"]
    assert [a["origin"] for a in alarms] == [ORIGIN, ORIGIN]
    assert alarms[0]["evidence"]["cosigned"] and alarms[0]["evidence"]["presented"]
    logs = witness[0].get("/witness/logs", headers=witness[1]).json()["items"]
    assert logs[0]["size"] == 6  # the honest checkpoint stays the cosigned one


def test_only_federation_signed_checkpoints(witness: tuple, federation: dict) -> None:
    client, headers, _ = witness
    stranger_key = generate_key()
    stranger = CertificateAuthority.create().issue(
        Organisation("sh", Role.REGIONAL, "310000"), stranger_key.public_key()
    )
    note = SignedNote(regional_log([b"x"]).checkpoint().body(), ()).signed_by(
        stranger_key, stranger
    )
    response = client.post(
        "/witness/add-checkpoint", json={"old_size": 0, "checkpoint": str(note)}, headers=headers
    )
    assert response.status_code == 422 and response.json()["error"] == "unsigned_note"
    key, certificate = federation["sh"]
    impostor = SignedNote(
        TransparencyLog(MemoryStore(), "ipfed/330000/zj").checkpoint().body(), ()
    ).signed_by(key, certificate)
    refused = client.post(
        "/witness/add-checkpoint",
        json={"old_size": 0, "checkpoint": str(impostor)},
        headers=headers,
    )
    assert refused.status_code == 422 and refused.json()["error"] == "not_the_log_owner"
    # A platform of Shanghai's region is not Shanghai's office: it speaks for no log.
    key, certificate = federation["platform"]
    not_an_office = SignedNote(regional_log([b"x"]).checkpoint().body(), ()).signed_by(
        key, certificate
    )
    refused = client.post(
        "/witness/add-checkpoint",
        json={"old_size": 0, "checkpoint": str(not_an_office)},
        headers=headers,
    )
    assert refused.status_code == 422 and refused.json()["error"] == "not_the_log_owner"
    garbage = client.post(
        "/witness/add-checkpoint", json={"old_size": 0, "checkpoint": "x"}, headers=headers
    )
    assert garbage.status_code == 422
