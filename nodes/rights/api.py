from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ipfed.nodes.auth.dependencies import current_caller
from ipfed.nodes.http import DB, After, Limit, page
from ipfed.nodes.rights import service
from ipfed.nodes.rights.models import GeographicalIndication, RightKind, RightStatus
from ipfed.nodes.rights.schemas import GeographicalIndicationOut, PatentOut, TrademarkOut
from ipfed.nodes.schemas import Page
from ipfed.registry.identifiers import PatentKind

router = APIRouter(tags=["rights profile"], dependencies=[Depends(current_caller)])
Q = Annotated[str | None, Query(max_length=200, description="part of the name or title")]
Holder = Annotated[str | None, Query(max_length=300, description="part of the holder's name")]


@router.get("/patents")
def search_patents(
    db: DB,
    q: Q = None,
    holder: Holder = None,
    status: RightStatus | None = None,
    kind: PatentKind | None = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[PatentOut]:
    rows = service.search_patents(
        db=db, q=q, holder=holder, status=status, kind=kind, after=after, limit=limit
    )
    return page(PatentOut, rows, limit)


@router.get("/patents/{number}")
def get_patent(db: DB, number: str) -> PatentOut:
    """A patent by its number, written with or without ZL/CN, spaces or the dot."""
    return PatentOut.model_validate(service.get_right(db=db, kind=RightKind.PATENT, number=number))


@router.get("/trademarks")
def search_trademarks(
    db: DB,
    q: Q = None,
    holder: Holder = None,
    status: RightStatus | None = None,
    nice_class: Annotated[int | None, Query(ge=1, le=45)] = None,
    key_protection: bool | None = None,
    well_known: bool | None = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[TrademarkOut]:
    rows = service.search_trademarks(
        db=db,
        q=q,
        holder=holder,
        status=status,
        nice_class=nice_class,
        key_protection=key_protection,
        well_known=well_known,
        after=after,
        limit=limit,
    )
    return page(TrademarkOut, rows, limit)


@router.get("/trademarks/{number}")
def get_trademark(db: DB, number: str) -> TrademarkOut:
    right = service.get_right(db=db, kind=RightKind.TRADEMARK, number=number)
    return TrademarkOut.model_validate(right)


@router.get("/geographical-indications")
def search_geographical_indications(
    db: DB,
    q: Q = None,
    holder: Holder = None,
    status: RightStatus | None = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[GeographicalIndicationOut]:
    rows = service.search(
        db=db,
        model=GeographicalIndication,
        q=q,
        holder=holder,
        status=status,
        after=after,
        limit=limit,
    )
    return page(GeographicalIndicationOut, rows, limit)


@router.get("/geographical-indications/{number}")
def get_geographical_indication(db: DB, number: str) -> GeographicalIndicationOut:
    right = service.get_right(db=db, kind=RightKind.GEOGRAPHICAL_INDICATION, number=number)
    return GeographicalIndicationOut.model_validate(right)
