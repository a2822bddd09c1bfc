"""The raw-SQL floor on SQLite: ``sqlite3`` connections, one thread hop per call.

Each call takes a connection from a small pool and runs all of its SQL in
one worker-thread hop, which is the least an asyncio program can do without
blocking its event loop. Connections use the settings Yonca's engine uses
(WAL, ``synchronous = NORMAL``, foreign keys on, a busy timeout, the same
case-folding function), so that the floor does the same work per row, and
writers take the lock at ``BEGIN IMMEDIATE`` so they queue instead of
failing.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from chainlit.data.storage_clients.base import BaseStorageClient
from chainlit.types import Feedback, PaginatedResponse, Pagination, ThreadFilter

from benchmarks.raw_common import (
    ELEMENTS_SQL,
    STEPS_SQL,
    THREAD_SQL,
    SidebarRequest,
    quoted,
    sidebar_page,
    sidebar_sql,
    step_values,
    stored_feedback,
    thread_with_children,
)
from benchmarks.roundtrips import RoundTripCounter

BUSY_TIMEOUT_MS = 30_000
Result = TypeVar("Result")

ACTIVITY_SQL = """
INSERT INTO thread_activity (thread_id, user_id, last_activity_at)
SELECT t.id, t."userId", ? FROM threads t WHERE t.id = ?
ON CONFLICT (thread_id) DO UPDATE SET last_activity_at = max(
    thread_activity.last_activity_at, excluded.last_activity_at
)
"""


def _placeholder(number: int) -> str:
    # Numbered, so that a parameter can appear twice in one statement.
    return f"?{number}"


class RawSqliteLayer:
    """Chainlit's data-layer calls the benchmark makes, in hand-written SQL."""

    def __init__(
        self,
        path: Path,
        storage: BaseStorageClient | None,
        counter: RoundTripCounter,
        *,
        pool_size: int,
    ) -> None:
        self.storage = storage
        self.counter = counter
        self._pool: asyncio.Queue[sqlite3.Connection] = asyncio.Queue()
        for _ in range(pool_size):
            self._pool.put_nowait(self._connect(path))

    def _connect(self, path: Path) -> sqlite3.Connection:
        connection = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False
        )
        connection.row_factory = sqlite3.Row
        for pragma in (
            f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA foreign_keys = ON",
        ):
            connection.execute(pragma)
        connection.create_function("yonca_casefold", 1, _casefold, deterministic=True)
        connection.set_trace_callback(self.counter.sqlite_trace)
        return connection

    async def close(self) -> None:
        while not self._pool.empty():
            self._pool.get_nowait().close()

    async def _run(self, work: Callable[[sqlite3.Connection], Result]) -> Result:
        connection = await self._pool.get()
        try:
            return await asyncio.to_thread(work, connection)
        finally:
            self._pool.put_nowait(connection)

    async def list_threads(
        self, pagination: Pagination, filters: ThreadFilter
    ) -> PaginatedResponse:
        request = SidebarRequest.from_chainlit(pagination, filters)
        sql, parameters = sidebar_sql(request, _placeholder, "yonca_casefold")
        rows = await self._run(lambda db: db.execute(sql, parameters).fetchall())
        return sidebar_page(rows, request.limit)

    async def get_thread(self, thread_id: str) -> dict[str, Any] | None:
        def read(db: sqlite3.Connection) -> tuple[Any, list[Any], list[Any]]:
            thread = db.execute(THREAD_SQL.format("?"), (thread_id,)).fetchone()
            if thread is None:
                return None, [], []
            steps = db.execute(STEPS_SQL.format("?"), (thread_id,)).fetchall()
            elements = db.execute(ELEMENTS_SQL.format("?"), (thread_id,)).fetchall()
            return thread, steps, elements

        thread, steps, elements = await self._run(read)
        return await thread_with_children(thread, steps, elements, self.storage)

    async def create_step(self, step_dict: dict[str, Any]) -> None:
        values = step_values(step_dict)
        columns = tuple(values)
        updates = ", ".join(
            f'"{column}" = excluded."{column}"' for column in columns if column != "id"
        )
        sql = (
            f"INSERT INTO steps ({quoted(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}"
        )

        def write(db: sqlite3.Connection) -> None:
            with _immediate(db):
                db.execute(sql, tuple(values.values()))
                db.execute(ACTIVITY_SQL, (values.get("createdAt"), values["threadId"]))

        await self._run(write)

    async def update_step(self, step_dict: dict[str, Any]) -> None:
        values = step_values(step_dict)
        columns = [column for column in values if column != "id"]
        assignments = ", ".join(f'"{column}" = ?' for column in columns)
        sql = f"UPDATE steps SET {assignments} WHERE id = ?"
        arguments = [*(values[column] for column in columns), values["id"]]
        updated = await self._run(lambda db: db.execute(sql, arguments).rowcount)
        if not updated:
            await self.create_step(step_dict)

    async def upsert_feedback(self, feedback: Feedback) -> str:
        value = stored_feedback(feedback.value)
        new_id = feedback.id or str(uuid.uuid4())

        def write(db: sqlite3.Connection) -> str:
            with _immediate(db):
                row = db.execute(
                    'UPDATE feedbacks SET value = ?, comment = ? WHERE "forId" = ? '
                    "RETURNING id",
                    (value, feedback.comment, feedback.forId),
                ).fetchone()
                if row is not None:
                    return str(row["id"])
                db.execute(
                    'INSERT INTO feedbacks (id, "forId", "threadId", value, comment) '
                    'VALUES (?, ?, COALESCE(?, (SELECT "threadId" FROM steps '
                    "WHERE id = ?)), ?, ?)",
                    (
                        new_id,
                        feedback.forId,
                        feedback.threadId,
                        feedback.forId,
                        value,
                        feedback.comment,
                    ),
                )
                return new_id

        return await self._run(write)


@contextmanager
def _immediate(connection: sqlite3.Connection) -> Iterator[None]:
    """A write transaction that takes SQLite's write lock at BEGIN."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _casefold(value: str | None) -> str | None:
    return value.casefold() if isinstance(value, str) else value
