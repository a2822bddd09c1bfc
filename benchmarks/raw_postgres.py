"""The raw-SQL floor on PostgreSQL: asyncpg, one statement per call.

Every call is one round trip in an implicit transaction: a step's insert and
its thread's activity go in one statement (a data-modifying CTE), as does the
update-or-insert of a feedback. The pool skips asyncpg's reset query on
release because nothing here changes session state.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
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

FEEDBACK_SQL = """
WITH updated AS (
    UPDATE feedbacks SET value = $3, comment = $4 WHERE "forId" = $2 RETURNING id
), inserted AS (
    INSERT INTO feedbacks (id, "forId", "threadId", value, comment)
    SELECT $1, $2, COALESCE($5, (SELECT "threadId" FROM steps WHERE id = $2)), $3, $4
    WHERE NOT EXISTS (SELECT 1 FROM updated)
    RETURNING id
)
SELECT id FROM updated UNION ALL SELECT id FROM inserted
"""


def _placeholder(number: int) -> str:
    return f"${number}"


async def _keep_session(_connection: asyncpg.Connection) -> None:
    return None


class RawPostgresLayer:
    """Chainlit's data-layer calls the benchmark makes, in hand-written SQL."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        storage: BaseStorageClient | None,
        counter: RoundTripCounter,
    ) -> None:
        self.pool = pool
        self.storage = storage
        self.counter = counter
        self._step_statements: dict[tuple[str, ...], str] = {}

    @classmethod
    async def open(
        cls,
        url: str,
        storage: BaseStorageClient | None,
        counter: RoundTripCounter,
        *,
        pool_size: int,
    ) -> RawPostgresLayer:
        pool = await asyncpg.create_pool(
            url, min_size=1, max_size=pool_size, reset=_keep_session
        )
        return cls(pool, storage, counter)

    async def close(self) -> None:
        await self.pool.close()

    async def _fetch(self, connection: Any, sql: str, *arguments: Any) -> list[Any]:
        self.counter.record(sql)
        return await connection.fetch(sql, *arguments)

    async def list_threads(
        self, pagination: Pagination, filters: ThreadFilter
    ) -> PaginatedResponse:
        request = SidebarRequest.from_chainlit(pagination, filters)
        sql, parameters = sidebar_sql(request, _placeholder, "lower")
        async with self.pool.acquire() as connection:
            rows = await self._fetch(connection, sql, *parameters)
        return sidebar_page(rows, request.limit)

    async def get_thread(self, thread_id: str) -> dict[str, Any] | None:
        async with self.pool.acquire() as connection:
            threads = await self._fetch(connection, THREAD_SQL.format("$1"), thread_id)
            if not threads:
                return None
            steps = await self._fetch(connection, STEPS_SQL.format("$1"), thread_id)
            elements = await self._fetch(
                connection, ELEMENTS_SQL.format("$1"), thread_id
            )
        return await thread_with_children(threads[0], steps, elements, self.storage)

    async def create_step(self, step_dict: dict[str, Any]) -> None:
        values = step_values(step_dict)
        sql = self._upsert_step_sql(tuple(values))
        arguments = [*values.values(), values.get("createdAt")]
        async with self.pool.acquire() as connection:
            await self._fetch(connection, sql, *arguments)

    async def update_step(self, step_dict: dict[str, Any]) -> None:
        values = step_values(step_dict)
        columns = [column for column in values if column != "id"]
        assignments = ", ".join(
            f'"{column}" = ${number}' for number, column in enumerate(columns, start=2)
        )
        sql = f"UPDATE steps SET {assignments} WHERE id = $1 RETURNING id"
        arguments = [values["id"], *(values[column] for column in columns)]
        async with self.pool.acquire() as connection:
            updated = await self._fetch(connection, sql, *arguments)
        if not updated:
            await self.create_step(step_dict)

    async def upsert_feedback(self, feedback: Feedback) -> str:
        async with self.pool.acquire() as connection:
            rows = await self._fetch(
                connection,
                FEEDBACK_SQL,
                feedback.id or str(uuid.uuid4()),
                feedback.forId,
                stored_feedback(feedback.value),
                feedback.comment,
                feedback.threadId,
            )
        return str(rows[0]["id"])

    def _upsert_step_sql(self, columns: tuple[str, ...]) -> str:
        cached = self._step_statements.get(columns)
        if cached is not None:
            return cached
        marks = ", ".join(f"${number}" for number in range(1, len(columns) + 1))
        updates = ", ".join(
            f'"{column}" = EXCLUDED."{column}"' for column in columns if column != "id"
        )
        thread_mark = f"${columns.index('threadId') + 1}"
        activity_mark = f"${len(columns) + 1}"
        sql = f"""
            WITH step AS (
                INSERT INTO steps ({quoted(columns)}) VALUES ({marks})
                ON CONFLICT (id) DO UPDATE SET {updates}
            )
            INSERT INTO thread_activity (thread_id, user_id, last_activity_at)
            SELECT t.id, t."userId", {activity_mark}::varchar
            FROM threads t WHERE t.id = {thread_mark}
            ON CONFLICT (thread_id) DO UPDATE SET last_activity_at = GREATEST(
                thread_activity.last_activity_at, EXCLUDED.last_activity_at
            )
        """
        self._step_statements[columns] = sql
        return sql
