from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_
from sqlalchemy.orm import Session

from ipfed.nodes.database.bulk import Columns, bulk_insert, stamped, without
from ipfed.nodes.database.core import page_of
from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.licences.models import Licence
from ipfed.nodes.rights.models import Right
from ipfed.nodes.rights.service import find_rights, unknown_rights


def store_licences(*, db: Session, columns: Columns) -> list[ItemError]:
    """Store licences (columns of ``LicenceIn`` fields) of rights this node holds."""
    numbers = columns["right"]
    rights = find_rights(db=db, numbers=numbers)
    errors = unknown_rights([[n] for n in numbers], rights)
    columns = without(columns, [e.index for e in errors])
    columns["right_id"] = [rights[n].id for n in columns.pop("right")]
    bulk_insert(db, Licence, stamped(columns))
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
