"""The data layer's reads: threads with their steps, sidebar pages, lookups.

Everything here is a single SELECT (or a few) with bound parameters; the
sidebar query filters, searches and paginates in SQL and reads one page of
threads, never the steps of the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from yonca.contract import elements, feedbacks, steps, thread_activity, threads
from yonca.datalayer.values import lookup_id, searchable_text

CURSOR_SEPARATOR = "~"

STEP_SELECT_COLUMNS = (
    *steps.c,
    feedbacks.c.id.label("feedback_id"),
    feedbacks.c.value.label("feedback_value"),
    feedbacks.c.comment.label("feedback_comment"),
)


def steps_with_feedback() -> Select[Any]:
    """Steps joined to their feedback (one per step, enforced on write)."""
    return select(*STEP_SELECT_COLUMNS).select_from(
        steps.outerjoin(feedbacks, feedbacks.c.forId == steps.c.id)
    )


async def fetch_thread_row(connection: AsyncConnection, thread_id: str) -> Any:
    result = await connection.execute(select(threads).where(threads.c.id == thread_id))
    return result.first()


async def fetch_thread_steps(connection: AsyncConnection, thread_id: str) -> list[Any]:
    statement = (
        steps_with_feedback()
        .where(steps.c.threadId == thread_id)
        .order_by(steps.c.createdAt, steps.c.start, steps.c.id)
    )
    return list((await connection.execute(statement)).all())


async def fetch_thread_elements(
    connection: AsyncConnection, thread_id: str
) -> list[Any]:
    statement = select(elements).where(elements.c.threadId == thread_id)
    return list((await connection.execute(statement)).all())


@dataclass(frozen=True)
class SidebarQuery:
    """One page of a user's threads, as Chainlit's sidebar asks for it."""

    user_id: str
    first: int
    cursor: str | None = None
    search: str | None = None
    feedback: int | None = None


def fold(connection: AsyncConnection, value: Any) -> ColumnElement[Any]:
    # Case-insensitive matching that also folds Azerbaijani and Cyrillic
    # letters; SQLite's lower() only knows ASCII, hence a Python function.
    if connection.dialect.name == "sqlite":
        return func.yonca_casefold(value)
    # The same folding as SQLite's yonca_casefold: both Azerbaijani i's
    # become a plain "i" before lower(), whatever the server's collation.
    return func.lower(func.translate(value, "İı", "ii"))


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def fetch_sidebar_page(
    connection: AsyncConnection, query: SidebarQuery
) -> list[Any]:
    """Return up to ``first + 1`` rows; the extra one only says a page follows."""
    conditions: list[ColumnElement[bool]] = [thread_activity.c.user_id == query.user_id]

    if query.cursor:
        conditions.append(await _after_cursor(connection, query.cursor))

    if query.search:
        pattern = fold(connection, literal(_like_pattern(query.search)))
        matching_step = exists().where(
            and_(
                steps.c.threadId == threads.c.id,
                fold(connection, steps.c.output).like(pattern, escape="\\"),
            )
        )
        conditions.append(
            or_(
                fold(connection, threads.c.name).like(pattern, escape="\\"),
                matching_step,
            )
        )

    if query.feedback is not None:
        # 👎 is stored as -1, and as 0 by older code; 👍 as 1.
        stored = [1] if query.feedback == 1 else [-1, 0]
        conditions.append(
            exists()
            .select_from(feedbacks.join(steps, steps.c.id == feedbacks.c.forId))
            .where(
                and_(steps.c.threadId == threads.c.id, feedbacks.c.value.in_(stored))
            )
        )

    statement = (
        select(threads, thread_activity.c.last_activity_at)
        .select_from(
            thread_activity.join(threads, threads.c.id == thread_activity.c.thread_id)
        )
        .where(and_(*conditions))
        .order_by(
            thread_activity.c.last_activity_at.desc(),
            thread_activity.c.thread_id.desc(),
        )
        .limit(query.first + 1)
    )
    return list((await connection.execute(statement)).all())


def make_cursor(last_activity_at: str, thread_id: str) -> str:
    return f"{last_activity_at}{CURSOR_SEPARATOR}{thread_id}"


async def _after_cursor(
    connection: AsyncConnection, cursor: str
) -> ColumnElement[bool]:
    moment, separator, thread_id = cursor.partition(CURSOR_SEPARATOR)
    if lookup_id(thread_id or cursor) is None:
        return literal(False)  # no thread can stand after a cursor like this
    if separator and searchable_text(moment) != moment:
        return literal(False)
    if not separator:
        # A bare thread id, as Chainlit's own layers hand out: look up where
        # that thread stands now.
        thread_id = cursor
        found = await connection.scalar(
            select(thread_activity.c.last_activity_at).where(
                thread_activity.c.thread_id == thread_id
            )
        )
        if found is None:
            return literal(False)
        moment = str(found)
    return or_(
        thread_activity.c.last_activity_at < moment,
        and_(
            thread_activity.c.last_activity_at == moment,
            thread_activity.c.thread_id < thread_id,
        ),
    )
