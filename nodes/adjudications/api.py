from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ipfed.nodes.adjudications.models import Decision
from ipfed.nodes.adjudications.schemas import AdjudicationOut
from ipfed.nodes.adjudications.service import search_adjudications
from ipfed.nodes.auth.dependencies import current_caller
from ipfed.nodes.http import DB, After, Limit, page
from ipfed.nodes.rights.service import right_by_number
from ipfed.nodes.schemas import Page

router = APIRouter(tags=["adjudications"], dependencies=[Depends(current_caller)])


@router.get("/adjudications")
def list_adjudications(
    db: DB,
    right: Annotated[str | None, Query(description="number of the right")] = None,
    defendant: Annotated[str | None, Query(max_length=300)] = None,
    decision: Decision | None = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[AdjudicationOut]:
    rows = search_adjudications(
        db=db,
        right=right_by_number(db=db, number=right) if right else None,
        defendant=defendant,
        decision=decision,
        after=after,
        limit=limit,
    )
    return page(AdjudicationOut, rows, limit)
