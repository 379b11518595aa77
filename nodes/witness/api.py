from datetime import datetime
from operator import attrgetter

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ipfed.ledger.canonical import Base64Bytes
from ipfed.ledger.note import SignedNote
from ipfed.ledger.witness import SplitView, StaleCheckpoint
from ipfed.nodes.auth.dependencies import current_caller
from ipfed.nodes.errors import Conflict
from ipfed.nodes.http import DB, After, Cursor, Limit, page
from ipfed.nodes.identity import node_identity
from ipfed.nodes.schemas import BIGINT_MAX, OutputModel, Page
from ipfed.nodes.witness import service

router = APIRouter(tags=["witness"])


class AddCheckpoint(BaseModel):
    # Not an InputModel: a signed note's whitespace is part of what is signed.
    model_config = ConfigDict(extra="forbid")

    old_size: int = Field(
        ge=0, le=BIGINT_MAX, description="size of the last checkpoint this witness cosigned"
    )
    proof: list[Base64Bytes] = Field(default=[], description="consistency proof, base64 hashes")
    checkpoint: str = Field(description="the new checkpoint, a C2SP signed note")


class KnownCheckpointOut(OutputModel):
    origin: str
    size: int
    updated_at: datetime


class AlarmOut(OutputModel):
    id: str
    kind: str
    origin: str
    detail: str
    evidence: dict[str, object]
    created_at: datetime


@router.post(
    "/witness/add-checkpoint",
    response_class=PlainTextResponse,
    dependencies=[Depends(current_caller)],
)
def add_checkpoint(request: Request, db: DB, body: AddCheckpoint) -> Response:
    """Cosign a log's checkpoint if it extends the one last cosigned (C2SP tlog-witness).

    A split view is refused with 422 ``split_view``, and the alarm with its
    evidence is stored: that is this request's one effect.
    """
    identity = node_identity(request.app.state.settings)
    try:
        cosigned = service.add_checkpoint(
            db=db,
            note=SignedNote.parse(body.checkpoint),
            old_size=body.old_size,
            proof=body.proof,
            bundle=identity.bundle,
            key=identity.key,
            certificate=identity.certificate,
        )
    except StaleCheckpoint as exc:
        raise Conflict(f"{exc.message}; last cosigned size: {exc.size}", code=exc.code) from None
    except SplitView as exc:
        service.raise_alarm(db=db, split=exc)
        return JSONResponse({"error": exc.code, "detail": exc.message}, status_code=422)
    return PlainTextResponse(str(cosigned))


@router.get("/witness/logs", dependencies=[Depends(current_caller)])
def witnessed_logs(db: DB, after: Cursor = None, limit: Limit = 100) -> Page[KnownCheckpointOut]:
    """Per log origin, the largest checkpoint this node verified."""
    logs = service.witnessed(db=db, after=after, limit=limit)
    return page(KnownCheckpointOut, logs, limit, key=attrgetter("origin"))


@router.get("/alarms", dependencies=[Depends(current_caller)])
def list_alarms(
    db: DB, origin: str | None = None, after: After = None, limit: Limit = 50
) -> Page[AlarmOut]:
    """Split views seen by this node, with the evidence."""
    return page(AlarmOut, service.alarms(db=db, origin=origin, after=after, limit=limit), limit)
