"""Databases for the tests: a real PostgreSQL and real SQLite files.

PostgreSQL comes from ``YONCA_TEST_DATABASE_URL`` when it is set (CI points
it at the machine's server); otherwise a throwaway embedded server is started
with ``pgserver``. Each test session creates its own databases on that
server and drops them at the end, so runs never see each other's rows.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from yonca import migrations

ENV_VARIABLE = "YONCA_TEST_DATABASE_URL"


@contextmanager
def postgres_server(workdir: Path) -> Iterator[str]:
    """Yield the URL of a PostgreSQL server the tests may create databases on."""
    given = os.environ.get(ENV_VARIABLE)
    if given:
        yield given
        return
    import pgserver

    server = pgserver.get_server(workdir / "pgdata", cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def _asyncpg_dsn(url: str) -> dict[str, object]:
    parsed = make_url(url)
    options: dict[str, object] = {
        "user": parsed.username or "postgres",
        "password": parsed.password,
        "database": parsed.database or "postgres",
    }
    host = parsed.host or parsed.query.get("host")
    if isinstance(host, tuple):
        host = host[0]
    options["host"] = host
    if parsed.port:
        options["port"] = parsed.port
    return options


async def _admin(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(**_asyncpg_dsn(server_url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def create_postgres_database(server_url: str, *, migrate: bool = True) -> str:
    """Create an empty database on the server and return its URL."""
    name = f"yonca_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    if migrate:
        migrations.upgrade(url)
    return url


def drop_postgres_database(server_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def create_sqlite_database(directory: Path, *, migrate: bool = True) -> str:
    url = f"sqlite:///{directory / f'yonca-{uuid.uuid4().hex[:12]}.db'}"
    if migrate:
        migrations.upgrade(url)
    return url
