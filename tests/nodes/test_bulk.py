"""Bulk writes: duplicate checks on both backends, as the imports rely on them."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.nodes.database.bulk import Columns, insert_new
from ipfed.nodes.database.core import new_ids, utcnow
from ipfed.nodes.rights.models import Right


def rights(numbers: list[str]) -> Columns:
    count = len(numbers)
    return {
        "id": new_ids(count),
        "created_at": [utcnow()] * count,
        "kind": ["trademark"] * count,
        "number": numbers,
        "name": ["名"] * count,
        "holder": ["某公司"] * count,
        "status": ["granted"] * count,
    }


def test_duplicates_stored_or_repeated_are_left_out(db: Session) -> None:
    assert insert_new(db, Right, rights(["K1", "K2"]), unique=("kind", "number")) == []
    assert insert_new(db, Right, rights(["K3", "K1", "K3"]), unique=("kind", "number")) == [1, 2]
    assert insert_new(db, Right, rights(["K4", "K4"]), unique=("kind", "number")) == [1]
    assert sorted(db.scalars(select(Right.number))) == ["K1", "K2", "K3", "K4"]
