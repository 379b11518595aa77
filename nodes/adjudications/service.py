from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.nodes.adjudications.models import Adjudication, Decision
from ipfed.nodes.adjudications.schemas import AdjudicationIn
from ipfed.nodes.database.bulk import bulk_insert
from ipfed.nodes.database.core import new_ids, utcnow
from ipfed.nodes.imports.batch import ItemError
from ipfed.nodes.rights.models import Right
from ipfed.nodes.rights.service import find_rights, unknown_rights


def add_adjudications(*, db: Session, items: Sequence[AdjudicationIn]) -> list[ItemError]:
    rights = find_rights(db=db, numbers=[item.right for item in items])
    errors = unknown_rights(items, rights, lambda item: [item.right])
    seen = set(
        db.scalars(
            select(Adjudication.case_no).where(
                Adjudication.case_no.in_({item.case_no for item in items})
            )
        )
    )
    rejected = {e.index for e in errors}
    rows = []
    now = utcnow()
    ids = iter(new_ids(len(items)))
    for index, item in enumerate(items):
        if item.case_no in seen:
            errors.append(ItemError(index, "case_no", "duplicate", f"{item.case_no} is stored"))
            continue
        seen.add(item.case_no)
        if index in rejected:
            continue
        rows.append(
            {
                "id": next(ids),
                "created_at": now,
                "right_id": rights[item.right].id,
                **item.model_dump(exclude={"right"}),
                "decision": item.decision.value,
            }
        )
    bulk_insert(db, Adjudication.__table__, rows)  # type: ignore[arg-type]
    return errors


def search_adjudications(
    *,
    db: Session,
    right: Right | None = None,
    defendant: str | None = None,
    decision: Decision | None = None,
    after: str | None = None,
    limit: int = 50,
) -> Sequence[Adjudication]:
    query = select(Adjudication).order_by(Adjudication.id).limit(limit)
    if right is not None:
        query = query.where(Adjudication.right_id == right.id)
    if defendant:
        query = query.where(Adjudication.defendant.icontains(defendant, autoescape=True))
    if decision:
        query = query.where(Adjudication.decision == decision)
    if after:
        query = query.where(Adjudication.id > after)
    return db.scalars(query).all()
