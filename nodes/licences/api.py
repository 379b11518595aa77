from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ipfed.nodes.auth.dependencies import current_caller
from ipfed.nodes.http import DB, After, Day, Limit, page
from ipfed.nodes.licences.schemas import LicenceOut
from ipfed.nodes.licences.service import search_licences
from ipfed.nodes.rights.service import right_by_number
from ipfed.nodes.schemas import Page

router = APIRouter(tags=["licences"], dependencies=[Depends(current_caller)])


@router.get("/licences")
def list_licences(
    db: DB,
    right: Annotated[str | None, Query(description="number of the right")] = None,
    licensee: Annotated[str | None, Query(max_length=300)] = None,
    in_force_on: Day | None = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[LicenceOut]:
    rows = search_licences(
        db=db,
        right=right_by_number(db=db, number=right) if right else None,
        licensee=licensee,
        in_force_on=in_force_on,
        after=after,
        limit=limit,
    )
    return page(LicenceOut, rows, limit)
