"""Where the benchmark databases live: SQLite files and a PostgreSQL server.

Each implementation gets its own database per data-set size, named after
both (``yonca_bench_stock_10000``, ``sqlite/raw-10000.db``), so that runs can
be inspected afterwards with ``--keep-data`` and never touch anything else on
the server.

PostgreSQL comes from ``--database-url``, then ``YONCA_BENCH_DATABASE_URL``,
then an embedded server started with ``pgserver`` under the data directory.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from benchmarks.errors import BenchmarkError

logger = logging.getLogger(__name__)

ENV_VARIABLE = "YONCA_BENCH_DATABASE_URL"
DEFAULT_PREFIX = "yonca_bench"


def database_name(prefix: str, implementation: str, size: int) -> str:
    return f"{prefix}_{implementation}_{size}"


@contextmanager
def postgres_server(data_dir: Path, given_url: str | None) -> Iterator[str]:
    """Yield the URL of a PostgreSQL server the benchmark may create databases on."""
    url = given_url or os.environ.get(ENV_VARIABLE)
    if url:
        yield url
        return
    try:
        import pgserver
    except ImportError:
        raise BenchmarkError(
            "no PostgreSQL server given and the embedded one is not installed; "
            f"pass --database-url, set {ENV_VARIABLE}, install 'pgserver', or run "
            "with --databases sqlite"
        ) from None
    logger.info("starting an embedded PostgreSQL under %s", data_dir / "pgserver")
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir / "pgserver", cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


class PostgresServer:
    """Creates, clones and drops the benchmark's databases on one server."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url

    def url_of(self, name: str) -> str:
        return (
            make_url(self.server_url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )

    async def create(self, name: str, *, template: str | None = None) -> str:
        """Create database ``name`` (a copy of ``template`` if given), fresh."""
        await self.drop(name)
        statement = f'CREATE DATABASE "{name}"'
        if template:
            # A template copy is a file-level copy: the clone has the same
            # rows in the same pages, loaded in seconds instead of minutes.
            statement += f' TEMPLATE "{template}"'
        await self._admin(statement)
        return self.url_of(name)

    async def version(self) -> str:
        connection = await self._connect()
        try:
            return str(await connection.fetchval("SHOW server_version"))
        finally:
            await connection.close()

    async def drop(self, name: str) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def _connect(self) -> asyncpg.Connection:
        try:
            return await asyncpg.connect(self.server_url)
        except (OSError, asyncpg.PostgresError) as exc:
            raise BenchmarkError(
                f"cannot connect to PostgreSQL at "
                f"{make_url(self.server_url).render_as_string()}: {exc}; check that "
                "the server is running, or pass another --database-url"
            ) from exc

    async def _admin(self, statement: str) -> None:
        connection = await self._connect()
        try:
            await connection.execute(statement)
        finally:
            await connection.close()


class SqliteFiles:
    """The benchmark's SQLite files, one per implementation and size."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_of(self, name: str) -> Path:
        return self.directory / f"{name}.db"

    def create(self, name: str, *, template: str | None = None) -> str:
        """Return the URL of a fresh file (a copy of ``template`` if given)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.drop(name)
        path = self.path_of(name)
        if template:
            shutil.copyfile(self.path_of(template), path)
        return f"sqlite:///{path}"

    def drop(self, name: str) -> None:
        path = self.path_of(name)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
