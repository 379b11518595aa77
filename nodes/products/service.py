from collections.abc import Sequence

from sqlalchemy.orm import Session

from ipfed.nodes.database.bulk import bulk_insert
from ipfed.nodes.database.core import new_ids, page_of, utcnow
from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.products.models import KeyProduct, key_product_rights
from ipfed.nodes.products.schemas import KeyProductIn
from ipfed.nodes.rights.service import find_rights, unknown_rights


def add_key_products(*, db: Session, items: Sequence[KeyProductIn]) -> list[ItemError]:
    rights = find_rights(db=db, numbers=[n for item in items for n in item.rights])
    errors = unknown_rights(items, rights, lambda item: item.rights)
    rejected = {e.index for e in errors}
    products, links = [], []
    now = utcnow()
    ids = iter(new_ids(len(items)))
    for index, item in enumerate(items):
        if index in rejected:
            continue
        product_id = next(ids)
        products.append(
            {"id": product_id, "created_at": now, **item.model_dump(exclude={"rights"})}
        )
        links += [
            {"product_id": product_id, "right_id": right_id}
            for right_id in {rights[n].id for n in item.rights}
        ]
    bulk_insert(db, KeyProduct, products)
    bulk_insert(db, key_product_rights, links)
    return errors


def search_key_products(
    *,
    db: Session,
    q: str | None = None,
    category: str | None = None,
    region_code: str | None = None,
    after: str | None = None,
    limit: int = 50,
) -> Sequence[KeyProduct]:
    query = page_of(KeyProduct, after=after, limit=limit)
    if q:
        query = query.where(KeyProduct.name.icontains(q, autoescape=True))
    if category:
        query = query.where(KeyProduct.category == category)
    if region_code:
        query = query.where(KeyProduct.region_code == region_code)
    return db.scalars(query).all()
