from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ipfed.nodes.auth.dependencies import current_caller
from ipfed.nodes.database.core import get_or_404
from ipfed.nodes.http import DB, After, Limit, page
from ipfed.nodes.participants.models import Participant
from ipfed.nodes.participants.schemas import ParticipantOut
from ipfed.nodes.participants.service import search_participants
from ipfed.nodes.schemas import Page
from ipfed.registry.identifiers import USCC, RegionCode

router = APIRouter(tags=["market participants"], dependencies=[Depends(current_caller)])


@router.get("/participants")
def list_participants(
    db: DB,
    q: Annotated[str | None, Query(max_length=300)] = None,
    uscc: USCC | None = None,
    region_code: RegionCode | None = None,
    platform: Annotated[str | None, Query(max_length=100)] = None,
    shop_id: Annotated[str | None, Query(max_length=200)] = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[ParticipantOut]:
    rows = search_participants(
        db=db,
        q=q,
        uscc=uscc,
        region_code=region_code,
        platform=platform,
        shop_id=shop_id,
        after=after,
        limit=limit,
    )
    return page(ParticipantOut, rows, limit)


@router.get("/participants/{participant_id}")
def get_participant(db: DB, participant_id: str) -> ParticipantOut:
    participant = get_or_404(
        db,
        Participant,
        participant_id,
        message=f"no participant {participant_id}",
        code="participant_not_found",
    )
    return ParticipantOut.model_validate(participant)
