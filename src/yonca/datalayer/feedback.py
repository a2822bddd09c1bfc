"""The data layer's feedback: one vote per step, Chainlit's 1/0 stored as 1/-1."""

from __future__ import annotations

import uuid
from typing import Any

from chainlit.types import (
    Feedback,
)
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yonca.contract import (
    feedbacks,
    steps,
    threads,
)
from yonca.datalayer.statements import (
    for_update,
    insert_for,
    touch_activity,
)
from yonca.datalayer.transactions import Transactions
from yonca.datalayer.values import (
    feedback_to_stored,
    fit_text,
    lookup_id,
    optional_id,
    require_id,
)
from yonca.errors import (
    InvalidInputError,
    NotFoundError,
)


class FeedbackMethods:
    """``BaseDataLayer``'s feedback methods."""

    transactions: Transactions

    async def upsert_feedback(self, feedback: Feedback) -> str:
        for_id = require_id(feedback.forId, "feedback forId")
        stored_value = feedback_to_stored(feedback.value)
        given_thread = optional_id(feedback.threadId, "feedback threadId")
        comment = _plain_text(feedback.comment, "feedback comment")
        new_id = optional_id(feedback.id, "feedback id") or str(uuid.uuid4())

        async def work(connection: AsyncConnection) -> str:
            # Lock the step so that two quick votes on it make one row.
            step_thread = await connection.scalar(
                for_update(
                    connection, select(steps.c.threadId).where(steps.c.id == for_id)
                )
            )
            # The step knows its thread; a thread the client names is used
            # only for a step not stored yet.
            thread_id = step_thread or given_thread
            if thread_id is None:
                raise NotFoundError(
                    f"step {for_id!r} does not exist, so feedback on it has no thread; "
                    "send the feedback after the message is stored"
                )
            existing_id = await connection.scalar(
                select(feedbacks.c.id)
                .where(feedbacks.c.forId == for_id)
                .order_by(feedbacks.c.id)
                .limit(1)
            )
            values = {"threadId": thread_id, "value": stored_value, "comment": comment}
            if existing_id is None:
                feedback_id = new_id
                inserted = await connection.execute(
                    insert_for(connection, feedbacks)
                    .values(id=feedback_id, forId=for_id, **values)
                    .on_conflict_do_nothing(index_elements=["id"])
                )
                if inserted.rowcount == 0:
                    # The id the client sent is another step's feedback; it
                    # must not be overwritten, so this vote gets its own id.
                    feedback_id = str(uuid.uuid4())
                    await connection.execute(
                        insert_for(connection, feedbacks).values(
                            id=feedback_id, forId=for_id, **values
                        )
                    )
                await touch_activity(connection, thread_id, None)
                return feedback_id
            else:
                await connection.execute(
                    update(feedbacks)
                    .where(feedbacks.c.id == existing_id)
                    .values(**values)
                )
            await touch_activity(connection, thread_id, None)
            return existing_id or new_id

        return await self.transactions.write("upsert_feedback", work)

    async def delete_feedback(self, feedback_id: str) -> bool:
        feedback_key = lookup_id(feedback_id)
        if feedback_key is None:
            return False

        async def work(connection: AsyncConnection) -> int:
            result = await connection.execute(
                delete(feedbacks).where(feedbacks.c.id == feedback_key)
            )
            return result.rowcount

        return await self.transactions.write("delete_feedback", work) > 0

    async def get_feedback_author(self, feedback_id: str) -> str | None:
        """The identifier of the user owning the thread a feedback is on."""
        feedback_key = lookup_id(feedback_id)
        if feedback_key is None:
            return None

        async def work(connection: AsyncConnection) -> Any:
            step_thread = (
                select(steps.c.threadId)
                .where(steps.c.id == feedbacks.c.forId)
                .scalar_subquery()
            )
            return await connection.scalar(
                select(threads.c.userIdentifier)
                .select_from(feedbacks)
                .join(
                    threads,
                    threads.c.id == func.coalesce(feedbacks.c.threadId, step_thread),
                )
                .where(feedbacks.c.id == feedback_key)
            )

        return await self.transactions.read("get_feedback_author", work)


def _plain_text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    text = str(value)
    if fit_text(text, None, field, {}) != text:
        raise InvalidInputError(
            f"{field} contains a NUL byte or an unpaired surrogate, which the "
            "database cannot store; remove them and send it again"
        )
    return text
