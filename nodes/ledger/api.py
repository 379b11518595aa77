import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from ipfed.ledger.canonical import parse_canonical
from ipfed.ledger.checkpoint import Checkpoint
from ipfed.nodes.auth.dependencies import current_caller
from ipfed.nodes.errors import InvalidInput, NotFound
from ipfed.nodes.http import DB
from ipfed.nodes.ledger.service import latest_checkpoint, node_log
from ipfed.nodes.schemas import BIGINT_MAX

router = APIRouter(prefix="/ledger", tags=["ledger"], dependencies=[Depends(current_caller)])


class EntryWithProof(BaseModel):
    position: int
    transaction: dict[str, Any]
    tree_size: int
    inclusion_proof: list[str]  # base64 hashes, leaf side first
    checkpoint: str | None  # the signed note the proof leads to


class ConsistencyProofOut(BaseModel):
    first: int
    second: int
    proof: list[str]


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


def _origin(request: Request) -> str:
    return str(request.app.state.settings.origin)


@router.get("/checkpoint", response_class=PlainTextResponse)
def get_checkpoint(db: DB) -> str:
    """The latest signed checkpoint, as a C2SP signed note."""
    note = latest_checkpoint(db=db)
    if note is None:
        raise NotFound("this node has not signed a checkpoint yet", code="no_checkpoint")
    return str(note)


@router.get("/entries/{position}")
def get_entry(
    request: Request, db: DB, position: Annotated[int, Path(ge=0, le=BIGINT_MAX)]
) -> EntryWithProof:
    """A transaction with its inclusion proof in the latest signed checkpoint."""
    log = node_log(db=db, origin=_origin(request))
    note = latest_checkpoint(db=db)
    size = Checkpoint.parse(note.text).size if note else log.size
    if not 0 <= position < size:
        raise NotFound(f"no entry {position} in a log of {size}", code="no_entry")
    return EntryWithProof(
        position=position,
        transaction=parse_canonical(log.store.entry(position)),
        tree_size=size,
        inclusion_proof=_b64(log.inclusion_proof(position, size)),
        checkpoint=str(note) if note else None,
    )


@router.get("/consistency")
def get_consistency(
    request: Request,
    db: DB,
    first: Annotated[int, Query(ge=1, le=BIGINT_MAX)],
    second: Annotated[int, Query(ge=1, le=BIGINT_MAX)],
) -> ConsistencyProofOut:
    """Proof that the log of size ``second`` extends the log of size ``first``."""
    log = node_log(db=db, origin=_origin(request))
    if not first <= second <= log.size:
        raise InvalidInput(f"need first <= second <= {log.size}", code="bad_sizes")
    return ConsistencyProofOut(
        first=first, second=second, proof=_b64(log.consistency_proof(first, second))
    )
