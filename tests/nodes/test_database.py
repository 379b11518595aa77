"""The migrations build exactly the schema the models declare, on both backends."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from ipfed.nodes.database.core import get_or_404, new_id, new_ids
from ipfed.nodes.database.migrate import current_revision, head_revision, upgrade
from ipfed.nodes.database.models import metadata
from ipfed.nodes.errors import NotFound
from ipfed.nodes.listings.models import Listing


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
    assert current_revision(engine) == head_revision()


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # SQLite's own pragmas
def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_bulk_ids_are_unique_across_calls_and_increase_within_one() -> None:
    # Many calls fall in the same millisecond: each must still get ids of its own.
    batches = [new_ids(3) for _ in range(200)]
    ids = [i for batch in batches for i in batch]
    assert len(set(ids)) == len(ids)
    assert all(batch == sorted(batch) and len(batch[0]) == 26 for batch in batches)


def test_get_or_404_answers_the_row_or_not_found(db: Session, sample_data: None) -> None:
    listing = db.scalars(select(Listing)).first()
    assert listing is not None
    assert get_or_404(db, Listing, listing.id, message="unused") is listing
    with pytest.raises(NotFound) as missing:
        get_or_404(db, Listing, new_id(), message="no such listing", code="listing_not_found")
    assert (missing.value.status_code, missing.value.code) == (404, "listing_not_found")
    assert missing.value.message == "no such listing"
    with pytest.raises(NotFound) as plain:
        get_or_404(db, Listing, new_id(), message="no such listing")
    assert plain.value.code == "not_found"
