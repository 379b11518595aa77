from typing import Annotated

from fastapi import APIRouter, Depends

from ipfed.nodes.auth.dependencies import Caller, current_caller
from ipfed.nodes.http import DB, After, Limit, page
from ipfed.nodes.privacy import service
from ipfed.nodes.privacy.schemas import ErasureOut, ErasureRequestIn
from ipfed.nodes.schemas import Page

router = APIRouter(prefix="/privacy", tags=["privacy"])


@router.post("/erasures", status_code=201)
def erase(
    db: DB, caller: Annotated[Caller, Depends(current_caller)], body: ErasureRequestIn
) -> ErasureOut:
    """Carry out a data subject's erasure request the office decided: the subject's
    personal fields are erased in every record now; the answer counts what changed."""
    erasure = service.erase_subject(
        db=db, request=body, recorded_by=f"{caller.org} (key {caller.key_prefix})"
    )
    return ErasureOut.model_validate(erasure)


@router.get("/erasures")
def list_erasures(db: DB, after: After = None, limit: Limit = 50) -> Page[ErasureOut]:
    """Every erasure, by retention or on request, oldest first: counts, never the data."""
    return page(ErasureOut, service.erasures(db=db, after=after, limit=limit), limit)
