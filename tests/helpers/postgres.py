"""The PostgreSQL server of the tests: ``scripts/with-postgres`` starts a throwaway
one and names it in IPFED_TEST_POSTGRES_URL, or a developer names their own.

The fixtures drop schemas and databases, so they refuse a database that is not
marked as a test database by its name (``test``, ``test_*`` or ``*_test``), and
drop only the databases they created themselves.
"""

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import make_url, text
from ulid import ULID

from ipfed.nodes.database.core import make_engine

TEST_DATABASE = re.compile(r"^test$|^test_|_test$")


class NotATestDatabase(Exception):
    pass


def postgres_url() -> str:
    """The test server's URL, once its database is known to be a test database."""
    url = os.environ.get("IPFED_TEST_POSTGRES_URL")
    if url is None:
        raise NotATestDatabase(
            "IPFED_TEST_POSTGRES_URL is not set: run the tests with scripts/check or "
            "scripts/with-postgres, which start a throwaway PostgreSQL server"
        )
    database = make_url(url).database or ""
    if not TEST_DATABASE.search(database):
        raise NotATestDatabase(
            f"IPFED_TEST_POSTGRES_URL names the database {database!r}, which the tests would "
            "wipe; name a test database (test, test_*, *_test) or unset the variable"
        )
    return url


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A new database on the test server, named after the test database; dropped after."""
    url = make_url(postgres_url())
    name = f"{url.database}_{prefix}_{str(ULID()).lower()[-8:]}"
    admin = make_engine(url.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
