from collections.abc import Sequence

from sqlalchemy.orm import Session

from ipfed.nodes.adjudications.models import Adjudication, Decision
from ipfed.nodes.adjudications.schemas import AdjudicationIn
from ipfed.nodes.database.bulk import insert_new
from ipfed.nodes.database.core import new_ids, page_of, utcnow
from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.rights.models import Right
from ipfed.nodes.rights.service import find_rights, unknown_rights


def add_adjudications(*, db: Session, items: Sequence[AdjudicationIn]) -> list[ItemError]:
    rights = find_rights(db=db, numbers=[item.right for item in items])
    errors = unknown_rights(items, rights, lambda item: [item.right])
    known = [(i, item) for i, item in enumerate(items) if item.right in rights]
    now = utcnow()
    rows = [
        {
            "id": case_id,
            "created_at": now,
            "right_id": rights[item.right].id,
            **item.model_dump(exclude={"right"}),
            "decision": item.decision.value,
        }
        for case_id, (_, item) in zip(new_ids(len(known)), known, strict=True)
    ]
    duplicates = insert_new(db, Adjudication, rows, unique=("case_no",))
    return errors + [
        ItemError(known[i][0], "case_no", "duplicate", f"{known[i][1].case_no} is already stored")
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
