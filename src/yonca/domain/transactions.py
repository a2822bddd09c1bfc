"""Transactions for the domain's repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


@asynccontextmanager
async def writing(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """Open a transaction that will write, committed when the block ends.

    On SQLite the ``yonca_write`` option makes the engine take the write lock
    at BEGIN, so that two writers queue behind the busy timeout instead of
    one failing half-way with "database is locked".
    """
    async with engine.connect() as connection:
        await connection.execution_options(yonca_write=True)
        async with connection.begin():
            yield connection


@asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """Open a transaction that only reads."""
    async with engine.connect() as connection, connection.begin():
        yield connection
