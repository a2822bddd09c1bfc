"""The data layer's threads: upserts with merged metadata, the sidebar, and
deletion that stays deleted."""

from __future__ import annotations

from typing import Any

from chainlit.types import (
    PageInfo,
    PaginatedResponse,
    Pagination,
    ThreadDict,
    ThreadFilter,
)
from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yonca.contract import (
    elements,
    feedbacks,
    steps,
    thread_activity,
    thread_tombstones,
    threads,
    users,
)
from yonca.datalayer import queries, rows
from yonca.datalayer.files import ElementFiles
from yonca.datalayer.statements import (
    for_update,
    insert_for,
    touch_activity,
)
from yonca.datalayer.transactions import Transactions
from yonca.datalayer.values import (
    OVERFLOW_KEY,
    dump_json,
    load_json_object,
    lookup_id,
    merge_metadata,
    optional_id,
    require_id,
    searchable_text,
    utc_now,
)
from yonca.errors import (
    InvalidInputError,
    NotFoundError,
    OwnershipError,
)


class ThreadMethods:
    """``BaseDataLayer``'s thread methods and the ownership checks the app needs."""

    transactions: Transactions
    files: ElementFiles

    # Chainlit types this as str, but answers 404 for any falsy author; None
    # says "no such thread" plainly.
    async def get_thread_author(self, thread_id: str) -> str | None:
        thread_key = lookup_id(thread_id)
        if thread_key is None:
            return None

        async def work(connection: AsyncConnection) -> Any:
            return await connection.scalar(
                select(threads.c.userIdentifier).where(threads.c.id == thread_key)
            )

        return await self.transactions.read("get_thread_author", work)

    async def get_thread(self, thread_id: str) -> ThreadDict | None:
        found_id = lookup_id(thread_id)
        if found_id is None:
            return None
        thread_id = found_id

        async def work(connection: AsyncConnection) -> Any:
            row = await queries.fetch_thread_row(connection, thread_id)
            if row is None:
                return None
            step_rows = await queries.fetch_thread_steps(connection, thread_id)
            element_rows = await queries.fetch_thread_elements(connection, thread_id)
            return row, step_rows, element_rows

        found = await self.transactions.read("get_thread", work)
        if found is None:
            return None
        row, step_rows, element_rows = found
        seen: set[str] = set()
        thread_steps = []
        for step_row in step_rows:
            # Older data may hold several feedback rows for a step; show one.
            if step_row.id not in seen:
                seen.add(step_row.id)
                thread_steps.append(rows.step_from_row(step_row))
        thread_elements = [await self.files.element_dict(r) for r in element_rows]
        return rows.thread_from_row(row, thread_steps, thread_elements)

    async def update_thread(
        self,
        thread_id: str,
        name: str | None = None,
        user_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
    ) -> None:
        if name is None and user_id is None and metadata is None and tags is None:
            return
        thread_id = require_id(thread_id, "thread id")
        user_id = optional_id(user_id, "user id")
        name_overflow: dict[str, Any] = {}
        stored_name = rows.thread_name_value(name, name_overflow)
        incoming = dict(metadata or {})
        tags_json = dump_json(tags, "thread tags")
        dump_json(incoming, "thread metadata")

        async def work(connection: AsyncConnection) -> None:
            values: dict[str, Any] = {}
            if user_id is not None:
                values["userId"] = user_id
                values["userIdentifier"] = await self._identifier_of(
                    connection, user_id
                )
            if name is not None:
                values["name"] = stored_name
            if tags is not None:
                values["tags"] = tags_json

            existing = (
                await connection.execute(
                    for_update(
                        connection,
                        select(threads.c.userId, threads.c.metadata).where(
                            threads.c.id == thread_id
                        ),
                    )
                )
            ).first()
            if (
                existing is not None
                and user_id
                and existing.userId not in (None, user_id)
            ):
                raise OwnershipError(
                    f"thread {thread_id!r} belongs to another user; "
                    "it cannot be reassigned"
                )
            base = (
                load_json_object(existing.metadata, "threads.metadata")
                if existing is not None
                else {}
            )
            if metadata is not None or name is not None:
                merged = merge_metadata(base, incoming)
                overflow = dict(merged.pop(OVERFLOW_KEY, None) or {})
                if name is not None:
                    overflow.pop("name", None)
                    overflow.update(name_overflow)
                if overflow:
                    merged[OVERFLOW_KEY] = overflow
                values["metadata"] = dump_json(merged, "thread metadata")

            if existing is None:
                await connection.execute(
                    insert_for(connection, threads)
                    .values(id=thread_id, createdAt=utc_now(), **values)
                    .on_conflict_do_update(index_elements=["id"], set_=values)
                )
            else:
                await connection.execute(
                    update(threads).where(threads.c.id == thread_id).values(**values)
                )
            await touch_activity(connection, thread_id, None)

        await self.transactions.write("update_thread", work)

    async def delete_thread(self, thread_id: str) -> None:
        found_id = lookup_id(thread_id)
        if found_id is None:
            return
        thread_id = found_id

        async def work(connection: AsyncConnection) -> list[str]:
            # Deleting the thread row first takes its lock, so a write that
            # races this delete waits for it and then sees the tombstone.
            await connection.execute(delete(threads).where(threads.c.id == thread_id))
            await connection.execute(
                insert_for(connection, thread_tombstones)
                .values(thread_id=thread_id, deleted_at=utc_now())
                .on_conflict_do_nothing(index_elements=["thread_id"])
            )
            object_keys = await connection.scalars(
                select(elements.c.objectKey).where(
                    elements.c.threadId == thread_id, elements.c.objectKey.is_not(None)
                )
            )
            keys = list(object_keys)
            step_ids = select(steps.c.id).where(steps.c.threadId == thread_id)
            await connection.execute(
                delete(feedbacks).where(
                    or_(
                        feedbacks.c.threadId == thread_id,
                        feedbacks.c.forId.in_(step_ids),
                    )
                )
            )
            await connection.execute(
                delete(elements).where(elements.c.threadId == thread_id)
            )
            await connection.execute(delete(steps).where(steps.c.threadId == thread_id))
            await connection.execute(
                delete(thread_activity).where(thread_activity.c.thread_id == thread_id)
            )
            return keys

        object_keys = await self.transactions.write("delete_thread", work)
        await self.files.delete(object_keys)

    async def list_threads(
        self, pagination: Pagination, filters: ThreadFilter
    ) -> PaginatedResponse[ThreadDict]:
        if not filters.userId:
            raise InvalidInputError(
                "list_threads needs filters.userId; threads are listed per user"
            )
        user_key = lookup_id(filters.userId)
        first = max(1, min(int(pagination.first), 200))
        query = queries.SidebarQuery(
            user_id=user_key or "",
            first=first,
            cursor=pagination.cursor or None,
            search=searchable_text(filters.search or "").strip() or None,
            feedback=filters.feedback,
        )

        async def work(connection: AsyncConnection) -> list[Any]:
            return await queries.fetch_sidebar_page(connection, query)

        page_rows = await self.transactions.read("list_threads", work)
        has_next_page = len(page_rows) > first
        page_rows = page_rows[:first]
        data = [rows.thread_from_row(row) for row in page_rows]
        cursors = [queries.make_cursor(r.last_activity_at, r.id) for r in page_rows]
        return PaginatedResponse(
            pageInfo=PageInfo(
                hasNextPage=has_next_page,
                startCursor=cursors[0] if cursors else None,
                endCursor=cursors[-1] if cursors else None,
            ),
            data=data,
        )

    async def can_read_thread(self, thread_id: str, user_identifier: str) -> bool:
        """Whether ``user_identifier`` owns the thread or it is shared."""
        thread_key = lookup_id(thread_id)
        if thread_key is None:
            return False

        async def work(connection: AsyncConnection) -> Any:
            result = await connection.execute(
                select(threads.c.userIdentifier, threads.c.metadata).where(
                    threads.c.id == thread_key
                )
            )
            return result.first()

        row = await self.transactions.read("can_read_thread", work)
        if row is None:
            return False
        if row.userIdentifier is not None and row.userIdentifier == user_identifier:
            return True
        return (
            load_json_object(row.metadata, "threads.metadata").get("is_shared") is True
        )

    async def _identifier_of(self, connection: AsyncConnection, user_id: str) -> str:
        identifier = await connection.scalar(
            select(users.c.identifier).where(users.c.id == user_id)
        )
        if identifier is None:
            raise NotFoundError(
                f"user {user_id!r} does not exist; create it with create_user "
                "before giving it threads"
            )
        return str(identifier)
