"""Database URLs and engines, shared by the data layer, migrations and guard.

People write ``postgresql://`` and ``sqlite:///``; SQLAlchemy's async engine
needs a driver in the URL. Everything Yonca opens goes through
``create_engine`` here so that both databases get the same treatment: SQLite
in WAL mode with a busy timeout and foreign keys on, PostgreSQL with a pool
sized for many concurrent sessions.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from yonca.errors import ConfigurationError

logger = logging.getLogger(__name__)

ASYNC_DRIVERS = {"postgresql": "asyncpg", "sqlite": "aiosqlite"}
# Milliseconds a SQLite writer waits for another one before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def async_url(url: str | URL) -> URL:
    """Return ``url`` with the async driver Yonca uses for its database."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigurationError(
            f"cannot read the database URL: {exc}; use a form such as "
            "'postgresql://user@host/dbname' or 'sqlite:///path/to/yonca.db'"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend not in ASYNC_DRIVERS:
        raise ConfigurationError(
            f"unsupported database {backend!r}: Yonca runs on PostgreSQL and "
            "SQLite (postgresql://... or sqlite:///...)"
        )
    return parsed.set(drivername=f"{backend}+{ASYNC_DRIVERS[backend]}")


def dialect_name(url: str | URL) -> str:
    return async_url(url).get_backend_name()


def ensure_sqlite_directory(url: URL) -> None:
    """Create the folder of a SQLite file so a first run needs no setup."""
    if url.get_backend_name() != "sqlite" or not url.database:
        return
    if url.database == ":memory:" or url.database.startswith("file:"):
        return
    Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def create_engine(
    url: str | URL, *, create_directory: bool = False, **options: Any
) -> AsyncEngine:
    """Open an async engine on ``url`` with Yonca's connection settings.

    ``create_directory`` makes the folder of a SQLite file first; only the
    commands that create a database ask for it, so that a mistyped path is
    reported instead of quietly becoming a new, empty database.
    """
    parsed = async_url(url)
    if create_directory:
        ensure_sqlite_directory(parsed)
    # Parameters carry farmers' messages; keep them out of exception text so
    # that a logged error never leaks what somebody wrote.
    options.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(parsed, **options)
        _configure_sqlite(engine)
        return engine
    # No pre-ping: it costs a round trip per checkout, and the data layer
    # already retries a statement that meets a connection the server dropped.
    options.setdefault("pool_size", 10)
    options.setdefault("max_overflow", 20)
    return create_async_engine(parsed, **options)


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that the
        # "begin" hook below decides how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()
        dbapi_connection.create_function(
            "yonca_casefold", 1, _casefold, deterministic=True
        )

    @event.listens_for(sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        # A writer that starts with a read and later needs the write lock can
        # fail at once with "database is locked" even under a busy timeout;
        # taking the lock at BEGIN makes writers queue instead.
        if connection.get_execution_options().get("yonca_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def _casefold(value: str | None) -> str | None:
    # SQLite's lower() folds ASCII only; farmers write Azerbaijani and Russian.
    # Python folds "İ" to "i" plus a combining dot, which would keep "İyun"
    # from matching "iyun"; both Azerbaijani i's fold to a plain "i" first.
    if not isinstance(value, str):
        return value
    return value.translate(_AZERBAIJANI_I).casefold()


_AZERBAIJANI_I = str.maketrans({"İ": "i", "ı": "i"})
