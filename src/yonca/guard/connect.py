"""Open a database for one guard operation, from synchronous code.

The guard's checks are synchronous functions of a SQLAlchemy ``Connection``
(the inspector and Alembic both want one). ``run_on_database`` opens Yonca's
async engine, runs such a function through ``run_sync`` and closes the engine;
a database that cannot be reached becomes ``CheckNotRunError``, which the CLI
turns into exit status 2.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from yonca.database import create_engine
from yonca.errors import DatabaseUnavailableError, YoncaError
from yonca.migrations import require_existing_sqlite_file

logger = logging.getLogger(__name__)

T = TypeVar("T")


class CheckNotRunError(YoncaError):
    """The database could not be looked at, so nothing was checked."""


def run_on_database(
    database_url: str, function: Callable[[Connection], T], *, write: bool = False
) -> T:
    """Run ``function`` on a connection to the database, in one transaction.

    With ``write`` the transaction is committed, otherwise rolled back.
    """
    _require_existing_sqlite_file(database_url)

    async def run() -> T:
        engine = create_engine(database_url)
        try:
            connection = await _connect(engine, database_url)
            try:
                result = await connection.run_sync(function)
                if write:
                    await connection.commit()
                return result
            except DBAPIError as exc:
                raise CheckNotRunError(
                    f"{display_url(database_url)} refused the work: {exc.orig}; "
                    "nothing was changed"
                ) from None
            finally:
                # Closing rolls back whatever was not committed.
                await connection.close()
        finally:
            await engine.dispose()

    return run_blocking(run)


async def _connect(engine: AsyncEngine, database_url: str) -> AsyncConnection:
    try:
        return await engine.connect()
    except (DBAPIError, OSError) as exc:
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        raise CheckNotRunError(
            f"could not connect to {display_url(database_url)}: {reason}; make sure "
            "the server is running and the URL and credentials are right"
        ) from None


def run_blocking(coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from synchronous code.

    Inside a running event loop (an app calling the start-up check from async
    code) ``asyncio.run`` is not allowed, so the coroutine gets a loop of its
    own in a worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine())).result()


def display_url(database_url: str) -> str:
    """The URL as it may be shown: without its password."""
    return make_url(database_url).render_as_string(hide_password=True)


def _require_existing_sqlite_file(database_url: str) -> None:
    try:
        require_existing_sqlite_file(database_url)
    except DatabaseUnavailableError as exc:
        raise CheckNotRunError(str(exc)) from None
