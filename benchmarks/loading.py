"""Building the benchmark databases: schemas, then a bulk load of one data set.

The Yonca database gets its schema from Yonca's own migrations and the stock
database from ``stock_schema``; one generator then feeds every database of
the size at once, chunk by chunk, through the fastest path each driver has:
``COPY`` on PostgreSQL, ``executemany`` inside one transaction on SQLite.
The raw-SQL database is a file-level copy of the loaded Yonca database.

After loading, PostgreSQL gets ``VACUUM ANALYZE``, which autovacuum would do
on its own within minutes of such a load; SQLite gets nothing, as an
application's SQLite file gets nothing in real use.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import asyncpg
from sqlalchemy.engine import make_url
from tqdm import tqdm

from benchmarks.databases import PostgresServer, SqliteFiles, database_name
from benchmarks.dataset import DatasetFacts, DatasetGenerator, DatasetSpec
from benchmarks.rows import TableRows, stock_rows, yonca_rows
from benchmarks.stock_schema import stock_schema_statements
from yonca import migrations

logger = logging.getLogger(__name__)

IMPLEMENTATIONS = ("yonca", "stock", "raw")


@dataclass
class LoadedDataset:
    """The databases of one size, ready to be measured."""

    spec: DatasetSpec
    facts: DatasetFacts
    # dialect -> implementation -> database URL
    urls: dict[str, dict[str, str]]
    load_seconds: float


class Target(Protocol):
    kind: str

    async def write(self, rows: TableRows) -> None: ...

    async def finish(self) -> None: ...


class SqliteTarget:
    """Bulk-writes into one SQLite file inside a single transaction."""

    def __init__(self, url: str, kind: str) -> None:
        self.kind = kind
        path = make_url(url).database
        assert path is not None
        self.connection = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False
        )
        # Nothing reads the file while it loads, and a crash means loading
        # again anyway, so the journal and fsyncs only cost time here.
        for pragma in (
            "PRAGMA journal_mode = OFF",
            "PRAGMA synchronous = OFF",
            "PRAGMA cache_size = -262144",
            "PRAGMA temp_store = MEMORY",
        ):
            self.connection.execute(pragma)
        self.connection.execute("BEGIN")

    async def write(self, rows: TableRows) -> None:
        await asyncio.to_thread(self._write, rows)

    def _write(self, rows: TableRows) -> None:
        for table, (columns, values) in rows.items():
            if not values:
                continue
            names = ", ".join(f'"{column}"' for column in columns)
            marks = ", ".join("?" for _ in columns)
            self.connection.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values
            )

    async def finish(self) -> None:
        await asyncio.to_thread(self._finish)

    def _finish(self) -> None:
        self.connection.execute("COMMIT")
        # Yonca runs SQLite in WAL mode (its engine sets it on every
        # connection); the stock layer leaves SQLite's default journal.
        mode = "WAL" if self.kind == "yonca" else "DELETE"
        self.connection.execute(f"PRAGMA journal_mode = {mode}")
        self.connection.close()


class PostgresTarget:
    """Bulk-writes into one PostgreSQL database with binary COPY."""

    def __init__(self, connection: asyncpg.Connection, kind: str) -> None:
        self.connection = connection
        self.kind = kind

    @classmethod
    async def open(cls, url: str, kind: str) -> PostgresTarget:
        return cls(await asyncpg.connect(url), kind)

    async def write(self, rows: TableRows) -> None:
        for table, (columns, values) in rows.items():
            if values:
                await self.connection.copy_records_to_table(
                    table, records=values, columns=list(columns)
                )

    async def finish(self) -> None:
        await self.connection.execute("VACUUM ANALYZE")
        await self.connection.close()


async def build_datasets(
    spec: DatasetSpec,
    dialects: tuple[str, ...],
    postgres: PostgresServer | None,
    sqlite_files: SqliteFiles,
    *,
    prefix: str,
    progress: bool | None = None,
) -> LoadedDataset:
    """Create and load every database of one size on every dialect."""
    started = time.perf_counter()
    urls: dict[str, dict[str, str]] = {}
    targets: list[Target] = []
    for dialect in dialects:
        yonca_url, stock_url = await _create_empty(
            dialect, spec, postgres, sqlite_files, prefix
        )
        urls[dialect] = {"yonca": yonca_url, "stock": stock_url}
        targets += await _open_targets(dialect, yonca_url, stock_url)

    generator = DatasetGenerator(spec)
    await _load(generator, spec, targets, progress)

    for dialect in dialects:
        urls[dialect]["raw"] = await _clone_for_raw(
            dialect, spec, postgres, sqlite_files, prefix
        )
    seconds = time.perf_counter() - started
    logger.info("loaded %d threads in %.1f s", spec.total_threads, seconds)
    return LoadedDataset(spec, generator.facts, urls, seconds)


async def drop_datasets(
    spec: DatasetSpec,
    postgres: PostgresServer | None,
    sqlite_files: SqliteFiles,
    *,
    prefix: str,
) -> None:
    for implementation in IMPLEMENTATIONS:
        name = database_name(prefix, implementation, spec.threads)
        sqlite_files.drop(name)
        if postgres is not None:
            await postgres.drop(name)


async def _create_empty(
    dialect: str,
    spec: DatasetSpec,
    postgres: PostgresServer | None,
    sqlite_files: SqliteFiles,
    prefix: str,
) -> tuple[str, str]:
    yonca_name = database_name(prefix, "yonca", spec.threads)
    stock_name = database_name(prefix, "stock", spec.threads)
    if dialect == "postgresql":
        assert postgres is not None
        yonca_url = await postgres.create(yonca_name)
        stock_url = await postgres.create(stock_name)
    else:
        yonca_url = sqlite_files.create(yonca_name)
        stock_url = sqlite_files.create(stock_name)

    # Yonca's migrations run their own event loop, so they get a thread.
    await asyncio.to_thread(migrations.upgrade, yonca_url)
    await _create_stock_schema(dialect, stock_url)
    return yonca_url, stock_url


async def _create_stock_schema(dialect: str, url: str) -> None:
    statements = stock_schema_statements(dialect)
    if dialect == "postgresql":
        connection = await asyncpg.connect(url)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()
        return
    path = make_url(url).database
    assert path is not None
    with sqlite3.connect(path) as connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()


async def _open_targets(dialect: str, yonca_url: str, stock_url: str) -> list[Target]:
    if dialect == "postgresql":
        return [
            await PostgresTarget.open(yonca_url, "yonca"),
            await PostgresTarget.open(stock_url, "stock"),
        ]
    return [SqliteTarget(yonca_url, "yonca"), SqliteTarget(stock_url, "stock")]


async def _load(
    generator: DatasetGenerator,
    spec: DatasetSpec,
    targets: list[Target],
    progress: bool | None,
) -> None:
    bar = tqdm(
        total=spec.total_threads,
        desc=f"loading {spec.threads:,}-thread set",
        unit=" threads",
        disable=None if progress is None else not progress,
        leave=False,
    )
    with bar:
        for chunk in generator.chunks():
            converted = {"yonca": yonca_rows(chunk), "stock": stock_rows(chunk)}
            writes: list[Awaitable[Any]] = [
                target.write(converted[target.kind]) for target in targets
            ]
            await asyncio.gather(*writes)
            bar.update(len(chunk.threads))
        bar.set_description("finishing (indexes, VACUUM ANALYZE)")
        await asyncio.gather(*(target.finish() for target in targets))


async def _clone_for_raw(
    dialect: str,
    spec: DatasetSpec,
    postgres: PostgresServer | None,
    sqlite_files: SqliteFiles,
    prefix: str,
) -> str:
    source = database_name(prefix, "yonca", spec.threads)
    name = database_name(prefix, "raw", spec.threads)
    if dialect == "postgresql":
        assert postgres is not None
        return await postgres.create(name, template=source)
    return sqlite_files.create(name, template=source)


def sqlite_path(url: str) -> Path:
    path = make_url(url).database
    assert path is not None
    return Path(path)
