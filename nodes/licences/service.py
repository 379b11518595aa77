from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_
from sqlalchemy.orm import Session

from ipfed.nodes.database.bulk import bulk_insert
from ipfed.nodes.database.core import new_ids, page_of, utcnow
from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.licences.models import Licence
from ipfed.nodes.licences.schemas import LicenceIn
from ipfed.nodes.rights.models import Right
from ipfed.nodes.rights.service import find_rights, unknown_rights


def add_licences(*, db: Session, items: Sequence[LicenceIn]) -> list[ItemError]:
    rights = find_rights(db=db, numbers=[item.right for item in items])
    errors = unknown_rights(items, rights, lambda item: [item.right])
    rejected = {e.index for e in errors}
    now = utcnow()
    ids = iter(new_ids(len(items)))
    rows = [
        {
            "id": next(ids),
            "created_at": now,
            "right_id": rights[item.right].id,
            "kind": item.kind.value,
            "licensee": item.licensee,
            "licensee_uscc": item.licensee_uscc,
            "scope": item.scope,
            "starts_on": item.starts_on,
            "ends_on": item.ends_on,
        }
        for index, item in enumerate(items)
        if index not in rejected
    ]
    bulk_insert(db, Licence, rows)
    return errors


def search_licences(
    *,
    db: Session,
    right: Right | None = None,
    licensee: str | None = None,
    in_force_on: date | None = None,
    after: str | None = None,
    limit: int = 50,
) -> Sequence[Licence]:
    query = page_of(Licence, after=after, limit=limit)
    if right is not None:
        query = query.where(Licence.right_id == right.id)
    if licensee:
        query = query.where(Licence.licensee.icontains(licensee, autoescape=True))
    if in_force_on:
        query = query.where(
            or_(Licence.starts_on.is_(None), Licence.starts_on <= in_force_on),
            or_(Licence.ends_on.is_(None), Licence.ends_on >= in_force_on),
        )
    return db.scalars(query).all()
