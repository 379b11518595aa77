"""The access log, for the node's own office."""

from fastapi import APIRouter, Query

from ipfed.nodes.accounts.access import access_page
from ipfed.nodes.accounts.schemas import AccessRecordOut
from ipfed.nodes.http import DB, After, Limit
from ipfed.nodes.schemas import Page

router = APIRouter(tags=["accounts"])


@router.get("/access-log")
def access_log(
    db: DB,
    after: After = None,
    limit: Limit = 100,
    org: str | None = Query(default=None, max_length=300, description="only this organisation"),
) -> Page[AccessRecordOut]:
    """Who read or changed what, newest first: people and API keys, never bodies."""
    rows = access_page(db=db, after=after, limit=limit, org=org)
    items = [
        AccessRecordOut.model_validate(row).model_copy(
            update={"person": row.account.username if row.account else None}
        )
        for row in rows
    ]
    return Page[AccessRecordOut](items=items, next=rows[-1].id if len(rows) == limit else None)
