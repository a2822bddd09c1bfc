"""Running the data layer's reads and writes, with retries that lose nothing.

A write either commits or raises: a dropped connection, a restarting
PostgreSQL or a busy SQLite file is retried with backoff for a while, and
every other failure becomes a ``PersistenceError`` naming the operation.
Retrying is safe because every write the data layer makes is an upsert or a
delete by primary key, so running it twice stores the same rows.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from yonca.errors import PersistenceError, YoncaError

logger = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[AsyncConnection], Awaitable[T]]

# PostgreSQL states worth another try: the server went away or is starting,
# or the transaction lost a race it would win the next time.
RETRYABLE_SQLSTATES = frozenset(
    {"40001", "40P01", "57P01", "57P02", "57P03", "08000", "08003", "08006"}
)
# States that belong to the session, not the server: a server made read-only
# and then writable again still refuses writes on sessions opened meanwhile.
STALE_SESSION_SQLSTATES = frozenset({"25006"})
SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked", "busy")
# How both databases say that a table or column the code needs is not there.
MISSING_SCHEMA_MARKERS = ("no such table", "no such column", "[42p01]", "[42703]")


class Transactions:
    """Runs units of work on an engine, retrying the failures that pass."""

    def __init__(self, engine: AsyncEngine, *, retry_seconds: float = 30.0) -> None:
        self.engine = engine
        self.retry_seconds = retry_seconds
        self._write_options = {"yonca_write": True}
        # The pool hands a returned connection to whoever asks next, so under
        # load a waiting write can be overtaken until it times out. A FIFO
        # gate sized to the pool serves writes in the order they came.
        capacity = _pool_capacity(engine)
        self._gate = asyncio.Semaphore(capacity) if capacity else None

    async def write(self, kind: str, work: Work[T]) -> T:
        """Run ``work`` in one write transaction and commit it."""
        return await self._run(kind, work, write=True)

    async def read(self, kind: str, work: Work[T]) -> T:
        """Run ``work`` in a read-only unit; retried like a write."""
        return await self._run(kind, work, write=False)

    async def _run(self, kind: str, work: Work[T], *, write: bool) -> T:
        deadline = time.monotonic() + self.retry_seconds
        if self._gate is None:
            return await self._attempt(kind, work, write, deadline)
        try:
            await asyncio.wait_for(self._gate.acquire(), timeout=self.retry_seconds)
        except TimeoutError:
            logger.error("%s waited %.0fs for a connection", kind, self.retry_seconds)
            raise PersistenceError(
                kind,
                "every database connection stayed busy; raise pool_size in "
                "engine_options or lower the load",
            ) from None
        try:
            return await self._attempt(kind, work, write, deadline)
        finally:
            self._gate.release()

    async def _attempt(
        self, kind: str, work: Work[T], write: bool, deadline: float
    ) -> T:
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self.engine.connect() as connection:
                    if write:
                        await connection.execution_options(**self._write_options)
                    try:
                        async with connection.begin():
                            return await work(connection)
                    except DBAPIError as exc:
                        if _sqlstate(exc) in STALE_SESSION_SQLSTATES:
                            # The server changed a setting this session
                            # captured when it connected; a new session
                            # sees the server as it is now.
                            await connection.invalidate()
                        raise
            except YoncaError:
                raise
            except (DBAPIError, PoolTimeoutError, OSError, ConnectionError) as exc:
                if _is_retryable(exc) and time.monotonic() < deadline:
                    delay = min(2.0, 0.05 * 2 ** min(attempt, 6))
                    logger.debug(
                        "%s failed (%s); retry %d", kind, _describe(exc), attempt
                    )
                    await asyncio.sleep(delay * random.uniform(0.5, 1.0))
                    continue
                logger.error(
                    "%s failed after %d attempt(s): %s", kind, attempt, _describe(exc)
                )
                raise PersistenceError(kind, _explain(exc)) from exc


def _pool_capacity(engine: AsyncEngine) -> int | None:
    pool = engine.sync_engine.pool
    size = getattr(pool, "size", None)
    if not callable(size):
        return None
    return int(size()) + max(0, int(getattr(pool, "_max_overflow", 0)))


def _is_retryable(exc: BaseException) -> bool:
    # Waiting for a pooled connection that never came is load, not failure:
    # the write is tried again until its time is up.
    if isinstance(exc, OSError | ConnectionError | PoolTimeoutError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    sqlstate = _sqlstate(exc)
    if sqlstate in RETRYABLE_SQLSTATES:
        return True
    message = str(exc.orig).lower()
    if isinstance(exc, OperationalError) and any(
        text in message for text in SQLITE_BUSY_MESSAGES
    ):
        return True
    return "connection" in message and (
        "closed" in message or "refused" in message or "lost" in message
    )


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    for attribute in ("sqlstate", "pgcode"):
        value = getattr(orig, attribute, None)
        if isinstance(value, str):
            return value
    cause = getattr(orig, "__cause__", None)
    value = getattr(cause, "sqlstate", None)
    return value if isinstance(value, str) else None


def _describe(exc: BaseException) -> str:
    """A log line for ``exc`` without SQL parameters (they hold user text)."""
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        sqlstate = _sqlstate(exc)
        state = f" [{sqlstate}]" if sqlstate else ""
        return f"{type(orig).__name__}{state}: {str(orig).splitlines()[0][:200]}"
    return f"{type(exc).__name__}: {exc}"


def _explain(exc: BaseException) -> str:
    """Say what went wrong and what to do, for the person who sees the error."""
    described = _describe(exc)
    lowered = described.lower()
    if "readonly" in lowered or "read-only" in lowered or "25006" in lowered:
        return (
            f"the database is read-only ({described}); check the file's permissions "
            "or the server's default_transaction_read_only setting"
        )
    if "disk is full" in lowered or "no space" in lowered or "53100" in lowered:
        return f"the disk is full ({described}); free some space and try again"
    if any(marker in lowered for marker in MISSING_SCHEMA_MARKERS):
        return f"the schema is missing ({described}); run 'yonca db upgrade'"
    if isinstance(exc, PoolTimeoutError):
        return (
            "every database connection stayed busy; raise pool_size in "
            "engine_options or lower the load"
        )
    if _is_retryable(exc):
        return (
            f"the database stayed unreachable or busy ({described}); check that it "
            "is running and try again"
        )
    return described
