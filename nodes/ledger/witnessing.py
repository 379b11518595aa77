"""A regional node asks the national node to witness its latest checkpoint."""

import base64

import httpx
from sqlalchemy.orm import Session

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.note import SignedNote
from ipfed.nodes.config import NodeRole, NodeSettings
from ipfed.nodes.errors import ConfigurationError, IpfedError
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.service import node_log, sign_checkpoint, store_cosigned


class WitnessRefused(IpfedError):
    code = "witness_refused"
    status_code = 502


def request_witness(*, db: Session, settings: NodeSettings, timeout: float = 10) -> SignedNote:
    """Sign a checkpoint of the current log, have the national node cosign it, keep the result."""
    witness = next((p for p in settings.peers if p.role is NodeRole.NATIONAL), None)
    if witness is None or not witness.api_key:
        raise ConfigurationError("no national peer with an API key to witness", code="no_witness")
    identity = node_identity(settings)
    note = sign_checkpoint(
        db=db, origin=settings.origin, key=identity.key, certificate=identity.certificate
    )
    size = Checkpoint.parse(note.text).size
    headers = {"X-API-Key": witness.api_key}
    with httpx.Client(base_url=witness.api_url, headers=headers, timeout=timeout) as http:
        logs = http.get("/witness/logs")
        logs.raise_for_status()
        old_size = next((w["size"] for w in logs.json() if w["origin"] == settings.origin), 0)
        log = node_log(db, settings.origin)
        proof = log.consistency_proof(old_size, size) if 0 < old_size < size else []
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
        raise WitnessRefused(error.get("detail", ""), code=error.get("error"))
    cosigned = SignedNote.parse(answer.text)
    cosigned.verify(identity.bundle)
    store_cosigned(db=db, note=cosigned)
    return cosigned
