from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ipfed.nodes.auth.dependencies import current_caller
from ipfed.nodes.http import DB, After, Limit, page
from ipfed.nodes.products.schemas import KeyProductOut
from ipfed.nodes.products.service import search_key_products
from ipfed.nodes.schemas import Page
from ipfed.registry.identifiers import RegionCode

router = APIRouter(tags=["key products"], dependencies=[Depends(current_caller)])


@router.get("/key-products")
def list_key_products(
    db: DB,
    q: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    region_code: RegionCode | None = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[KeyProductOut]:
    rows = search_key_products(
        db=db, q=q, category=category, region_code=region_code, after=after, limit=limit
    )
    return page(KeyProductOut, rows, limit)
