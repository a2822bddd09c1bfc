"""Fixtures shared by every test: databases on both dialects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests import databases

DIALECTS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with databases.postgres_server(tmp_path_factory.mktemp("postgres")) as url:
        yield url


@pytest.fixture(scope="session")
def make_database(
    postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., str]]:
    """Return a factory of fresh databases: ``make_database(dialect, migrate=True)``."""
    created: list[str] = []
    directory = tmp_path_factory.mktemp("sqlite")

    def make(dialect: str, *, migrate: bool = True) -> str:
        # Creating and migrating run their own event loop; a worker thread
        # lets async tests call this too.
        with ThreadPoolExecutor(max_workers=1) as worker:
            return worker.submit(create, dialect, migrate).result()

    def create(dialect: str, migrate: bool) -> str:
        if dialect == "postgresql":
            url = databases.create_postgres_database(
                postgres_server_url, migrate=migrate
            )
            created.append(url)
            return url
        return databases.create_sqlite_database(directory, migrate=migrate)

    yield make

    for url in created:
        databases.drop_postgres_database(postgres_server_url, url)


@pytest.fixture(scope="session", params=DIALECTS)
def database_url(request: pytest.FixtureRequest, make_database) -> str:
    """A migrated database shared by a session's tests on one dialect.

    Tests that share it use fresh ids and users, so they never see each
    other's rows; tests that need an empty database call ``make_database``.
    """
    return make_database(request.param)


@pytest.fixture
def dialect(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def tmp_files_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "files"
    directory.mkdir()
    return directory
