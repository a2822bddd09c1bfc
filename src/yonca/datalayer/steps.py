"""The data layer's steps: messages and tool calls, written out of order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chainlit.step import StepDict
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from yonca.contract import (
    elements,
    feedbacks,
    steps,
    threads,
)
from yonca.datalayer import queries, rows
from yonca.datalayer.files import ElementFiles
from yonca.datalayer.queueing import queued
from yonca.datalayer.statements import (
    ensure_thread,
    for_update,
    touch_activity,
    upsert,
)
from yonca.datalayer.transactions import Transactions
from yonca.datalayer.values import (
    OVERFLOW_KEY,
    load_json_object,
    lookup_id,
    utc_now,
)
from yonca.errors import InvalidInputError, OwnershipError


class StepMethods:
    """``BaseDataLayer``'s step methods."""

    transactions: Transactions
    files: ElementFiles

    @queued
    async def create_step(self, step_dict: StepDict) -> None:
        values, overflow, thread_id = self._step_write(step_dict)
        values.setdefault("createdAt", None)
        values["createdAt"] = values["createdAt"] or utc_now()
        values["metadata"] = rows.step_metadata_json(
            step_dict.get("metadata"), overflow
        )

        async def work(connection: AsyncConnection) -> None:
            await ensure_thread(connection, thread_id, values["createdAt"])
            # A create that lands after the step's update must not undo it:
            # it only fills what the update left empty.
            statement = upsert(
                connection.dialect.name,
                steps,
                tuple(values),
                fill_only=True,
                same_thread=True,
            )
            result = await connection.execute(statement, values)
            if result.rowcount == 0:
                raise _moved_step(values["id"])
            await touch_activity(connection, thread_id, values["createdAt"])

        await self.transactions.write("create_step", work)

    @queued
    async def update_step(self, step_dict: StepDict) -> None:
        values, overflow, thread_id = self._step_write(step_dict)
        sent_keys = set(step_dict)

        async def work(connection: AsyncConnection) -> None:
            existing = (
                await connection.execute(
                    for_update(
                        connection,
                        select(
                            steps.c.threadId, steps.c.metadata, steps.c.createdAt
                        ).where(steps.c.id == values["id"]),
                    )
                )
            ).first()
            if existing is not None and existing.threadId != thread_id:
                raise _moved_step(values["id"])
            stored = (
                load_json_object(existing.metadata, "steps.metadata")
                if existing is not None
                else {}
            )
            # Fields kept in metadata by an earlier write and not sent now
            # stay; fields sent now replace what was kept for them.
            kept = {
                key: value
                for key, value in (stored.pop(OVERFLOW_KEY, None) or {}).items()
                if key not in sent_keys
            }
            document = step_dict.get("metadata", stored)
            row = dict(values)
            row["metadata"] = rows.step_metadata_json(document, {**kept, **overflow})
            created_at = row.get("createdAt") or (existing and existing.createdAt)
            row["createdAt"] = created_at or utc_now()

            await ensure_thread(connection, thread_id, row["createdAt"])
            statement = upsert(
                connection.dialect.name, steps, tuple(row), same_thread=True
            )
            result = await connection.execute(statement, row)
            if result.rowcount == 0:
                raise _moved_step(row["id"])
            await touch_activity(connection, thread_id, row["createdAt"])

        await self.transactions.write("update_step", work)

    @queued
    async def delete_step(self, step_id: str) -> None:
        found_id = lookup_id(step_id)
        if found_id is None:
            return
        step_id = found_id

        async def work(connection: AsyncConnection) -> list[str]:
            # A step's children (tool calls, nested steps) go with it.
            tree = select(steps.c.id).where(steps.c.id == step_id).cte(recursive=True)
            tree = tree.union(select(steps.c.id).where(steps.c.parentId == tree.c.id))
            step_ids = [r for r in await connection.scalars(select(tree.c.id))]
            if not step_ids:
                return []
            keys = list(
                await connection.scalars(
                    select(elements.c.objectKey).where(
                        elements.c.forId.in_(step_ids),
                        elements.c.objectKey.is_not(None),
                    )
                )
            )
            await connection.execute(
                delete(feedbacks).where(feedbacks.c.forId.in_(step_ids))
            )
            await connection.execute(
                delete(elements).where(elements.c.forId.in_(step_ids))
            )
            await connection.execute(delete(steps).where(steps.c.id.in_(step_ids)))
            return keys

        object_keys = await self.transactions.write("delete_step", work)
        await self.files.delete(object_keys)

    async def get_step(self, step_id: str) -> StepDict | None:
        step_key = lookup_id(step_id)
        if step_key is None:
            return None

        async def work(connection: AsyncConnection) -> Any:
            statement = queries.steps_with_feedback().where(steps.c.id == step_key)
            return (await connection.execute(statement)).first()

        row = await self.transactions.read("get_step", work)
        return rows.step_from_row(row) if row is not None else None

    async def get_favorite_steps(self, user_id: str) -> list[StepDict]:
        user_key = lookup_id(user_id)
        if user_key is None:
            return []

        async def work(connection: AsyncConnection) -> list[Any]:
            statement = (
                queries.steps_with_feedback()
                .join(threads, threads.c.id == steps.c.threadId)
                .where(
                    threads.c.userId == user_key,
                    # A cheap text filter first; the decoded flag decides.
                    steps.c.metadata.like('%"favorite"%'),
                )
                .order_by(steps.c.createdAt.desc())
            )
            return list((await connection.execute(statement)).all())

        found = await self.transactions.read("get_favorite_steps", work)
        favorites = [rows.step_from_row(row) for row in found]
        return [step for step in favorites if step["metadata"].get("favorite") is True]

    def _step_write(
        self, step_dict: StepDict
    ) -> tuple[dict[str, Any], dict[str, Any], str]:
        if not isinstance(step_dict, Mapping):
            raise InvalidInputError(
                "a step must be a dict such as Step.to_dict() returns"
            )
        values, overflow = rows.step_values(step_dict)
        thread_id = values.get("threadId")
        if not thread_id:
            raise InvalidInputError(
                f"step {values['id']!r} has no threadId; every step belongs to a thread"
            )
        return values, overflow, thread_id

    async def get_step_author(self, step_id: str) -> str | None:
        """The identifier of the user owning the step's thread."""
        step_key = lookup_id(step_id)
        if step_key is None:
            return None

        async def work(connection: AsyncConnection) -> Any:
            return await connection.scalar(
                select(threads.c.userIdentifier)
                .select_from(steps.join(threads, threads.c.id == steps.c.threadId))
                .where(steps.c.id == step_key)
            )

        return await self.transactions.read("get_step_author", work)


def _moved_step(step_id: str) -> OwnershipError:
    # Message ids are chosen by the client and visible in shared threads; a
    # write naming another thread must not carry a step off into it.
    return OwnershipError(
        f"step {step_id!r} belongs to another thread; a step cannot move between "
        "threads (send it with a new id)"
    )
