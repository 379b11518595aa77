from collections.abc import Sequence

from sqlalchemy.orm import Session

from ipfed.nodes.database.bulk import Columns, bulk_insert, stamped, without
from ipfed.nodes.database.core import page_of
from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.products.models import KeyProduct, key_product_rights
from ipfed.nodes.rights.service import find_rights, unknown_rights


def store_key_products(*, db: Session, columns: Columns) -> list[ItemError]:
    """Store products (columns of ``KeyProductIn`` fields) whose rights this node
    holds, linked to those rights."""
    numbers = columns["rights"]
    rights = find_rights(db=db, numbers=[n for row in numbers for n in row])
    errors = unknown_rights(numbers, rights)
    columns = stamped(without(columns, [e.index for e in errors]))
    links = [
        {"product_id": product_id, "right_id": right_id}
        for product_id, row in zip(columns["id"], columns.pop("rights"), strict=True)
        for right_id in {rights[n].id for n in row}
    ]
    bulk_insert(db, KeyProduct, columns)
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
