"""SQL statements the data layer's writes share, built for either dialect.

PostgreSQL and SQLite speak the same ``INSERT ... ON CONFLICT`` here; only
the import of ``insert`` differs, and row locks exist on PostgreSQL alone
(SQLite write transactions already hold the whole database).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Select,
    and_,
    case,
    exists,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from yonca.contract import thread_activity, thread_tombstones, threads, users
from yonca.errors import ThreadDeletedError


def insert_for(connection: AsyncConnection, table: Any) -> Any:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def for_update(connection: AsyncConnection, statement: Select[Any]) -> Select[Any]:
    if connection.dialect.name == "postgresql":
        return statement.with_for_update()
    return statement


async def ensure_thread(
    connection: AsyncConnection, thread_id: str, created_at: str
) -> None:
    """Create an empty thread row unless one exists.

    Chainlit writes a new thread's first step and the thread itself from
    separate tasks; whichever lands first creates the row.
    """
    statement = (
        insert_for(connection, threads)
        .values(id=thread_id, createdAt=created_at)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    await connection.execute(statement)


async def touch_activity(
    connection: AsyncConnection,
    thread_id: str,
    activity_at: str | None,
) -> None:
    """Record activity on a thread, refusing threads that were deleted.

    This statement runs after the thread row was written or locked. On
    PostgreSQL that write waits for a concurrent delete to finish, and this
    later statement then sees the delete's tombstone, so a late write rolls
    back instead of bringing the thread back. ``activity_at`` of ``None``
    only makes sure the row exists and names the thread's owner.
    """
    owner = select(users.c.id).where(users.c.id == threads.c.userId).scalar_subquery()
    moment = (
        literal(activity_at, threads.c.createdAt.type)
        if activity_at is not None
        else threads.c.createdAt
    )
    source = select(
        threads.c.id,
        owner,
        case((moment.is_(None), "1970-01-01T00:00:00.000000Z"), else_=moment),
    ).where(
        and_(
            threads.c.id == thread_id,
            ~exists().where(thread_tombstones.c.thread_id == thread_id),
        )
    )
    statement = insert_for(connection, thread_activity).from_select(
        ["thread_id", "user_id", "last_activity_at"], source
    )
    newer = statement.excluded.last_activity_at
    latest: Any = thread_activity.c.last_activity_at
    if activity_at is not None:
        latest = case((newer > latest, newer), else_=latest)
    # Updating the owner too keeps the sidebar's index in step with the
    # thread when update_thread assigns it to a user.
    statement = statement.on_conflict_do_update(
        index_elements=["thread_id"],
        set_={"user_id": statement.excluded.user_id, "last_activity_at": latest},
    )
    result = await connection.execute(statement)
    if result.rowcount == 0:
        raise ThreadDeletedError(thread_id)


async def raise_if_deleted(connection: AsyncConnection, thread_id: str) -> None:
    tombstone = await connection.scalar(
        select(thread_tombstones.c.thread_id).where(
            thread_tombstones.c.thread_id == thread_id
        )
    )
    if tombstone is not None:
        raise ThreadDeletedError(thread_id)
