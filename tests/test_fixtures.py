"""The fixtures never wipe a database that is not marked as a test database."""

import pytest
from postgres import NotATestDatabase, postgres_url


@pytest.mark.parametrize("database", ["postgres", "ipfed", "contest", "testing", "prod_test_db"])
def test_a_database_not_named_as_a_test_database_is_refused(
    monkeypatch: pytest.MonkeyPatch, database: str
) -> None:
    monkeypatch.setenv("IPFED_TEST_POSTGRES_URL", f"postgresql+psycopg://u@127.0.0.1/{database}")
    with pytest.raises(NotATestDatabase, match=repr(database)):
        postgres_url()


@pytest.mark.parametrize("database", ["test", "test_h1", "ipfed_test"])
def test_a_test_database_is_used(monkeypatch: pytest.MonkeyPatch, database: str) -> None:
    url = f"postgresql+psycopg://u@127.0.0.1:5432/{database}"
    monkeypatch.setenv("IPFED_TEST_POSTGRES_URL", url)
    assert postgres_url() == url


def test_without_a_server_the_tests_say_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IPFED_TEST_POSTGRES_URL", raising=False)
    with pytest.raises(NotATestDatabase, match="scripts/with-postgres"):
        postgres_url()
