"""A node asks its peers to witness (cosign) its latest checkpoint.

Regional nodes ask the national node; the national node asks the regional
nodes, so that they witness each other. Every peer with an API key is asked.
No database transaction is held while a peer is called: two nodes witnessing
each other at the same moment would otherwise wait on each other's locks.
"""

import base64

import httpx
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.note import SignedNote
from ipfed.ledger.owner import verify_checkpoint
from ipfed.nodes.config import NodeSettings, Peer
from ipfed.nodes.database.core import transaction
from ipfed.nodes.errors import ConfigurationError, IpfedError
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.service import node_log, sign_checkpoint, store_cosigned


class WitnessRefused(IpfedError):
    code = "witness_refused"
    status_code = 502


def request_witness(
    *, sessions: sessionmaker[Session], settings: NodeSettings, timeout: float = 10
) -> SignedNote:
    """Sign a checkpoint of the current log, have every witness peer cosign it, keep the result.

    Cosignatures gathered are stored even if a witness refuses; the refusal is raised after.
    """
    witnesses = [p for p in settings.peers if p.api_key]
    if not witnesses:
        raise ConfigurationError("no peer with an API key to witness", code="no_witness")
    identity = node_identity(settings)
    with transaction(sessions) as db:
        note = sign_checkpoint(
            db=db, origin=settings.origin, key=identity.key, certificate=identity.certificate
        )
    refusals = []
    for peer in witnesses:
        try:
            cosigned = _ask(peer, sessions, settings, note, timeout)
        except WitnessRefused as exc:
            refusals.append(exc)
            continue
        verify_checkpoint(cosigned, identity.bundle)
        with transaction(sessions) as db:
            note = store_cosigned(db=db, note=cosigned)
    if refusals:
        raise refusals[0]
    return note


def _witnessed_size(http: httpx.Client, origin: str) -> int:
    """The size of ``origin``'s log the peer last verified (0: none), found by walking
    the peer's pages of witnessed logs."""
    params: dict[str, str] = {}
    while True:
        logs = http.get("/witness/logs", params=params)
        logs.raise_for_status()
        found = logs.json()
        if sizes := [w["size"] for w in found["items"] if w["origin"] == origin]:
            return int(sizes[0])
        if found["next"] is None:
            return 0
        params = {"after": found["next"]}


def _ask(
    peer: Peer,
    sessions: sessionmaker[Session],
    settings: NodeSettings,
    note: SignedNote,
    timeout: float,
) -> SignedNote:
    size = Checkpoint.parse(note.text).size
    headers = {"X-API-Key": peer.api_key or ""}
    with httpx.Client(base_url=peer.api_url, headers=headers, timeout=timeout) as http:
        old_size = _witnessed_size(http, settings.origin)
        proof: list[bytes] = []
        if 0 < old_size < size:
            with transaction(sessions) as db:
                proof = node_log(db=db, origin=settings.origin).consistency_proof(old_size, size)
        body = {
            "old_size": old_size,
            "proof": [base64.b64encode(p).decode() for p in proof],
            "checkpoint": str(note),
        }
        answer = http.post("/witness/add-checkpoint", json=body)
    if answer.status_code != 200:
        try:
            error = answer.json()
        except ValueError:
            error = {"detail": f"HTTP {answer.status_code}: {answer.text[:200]}"}
        raise WitnessRefused(f"{peer.node_id}: {error.get('detail', '')}", code=error.get("error"))
    return SignedNote.parse(answer.text)
