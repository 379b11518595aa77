from collections.abc import Sequence

from sqlalchemy.orm import Session

from ipfed.nodes.adjudications.models import Adjudication, Decision
from ipfed.nodes.database.bulk import Columns, insert_new, stamped, without
from ipfed.nodes.database.core import page_of
from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.rights.models import Right
from ipfed.nodes.rights.service import find_rights, unknown_rights


def store_adjudications(*, db: Session, columns: Columns) -> list[ItemError]:
    """Store cases (columns of ``AdjudicationIn`` fields) about rights this node holds,
    each case number once."""
    numbers = columns["right"]
    rights = find_rights(db=db, numbers=numbers)
    errors = unknown_rights([[n] for n in numbers], rights)
    known = [i for i, n in enumerate(numbers) if n in rights]  # positions of the rows kept
    columns = without(columns, [e.index for e in errors])
    columns["right_id"] = [rights[n].id for n in columns.pop("right")]
    duplicates = insert_new(
        db,
        Adjudication,
        stamped(columns),
        unique=("case_no",),
    )
    cases = columns["case_no"]
    return errors + [
        ItemError(known[i], "case_no", "duplicate", f"{cases[i]} is already stored")
        for i in duplicates
    ]


def search_adjudications(
    *,
    db: Session,
    right: Right | None = None,
    defendant: str | None = None,
    decision: Decision | None = None,
    after: str | None = None,
    limit: int = 50,
) -> Sequence[Adjudication]:
    query = page_of(Adjudication, after=after, limit=limit)
    if right is not None:
        query = query.where(Adjudication.right_id == right.id)
    if defendant:
        query = query.where(Adjudication.defendant.icontains(defendant, autoescape=True))
    if decision:
        query = query.where(Adjudication.decision == decision)
    return db.scalars(query).all()
