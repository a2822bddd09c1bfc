"""SQL statements the data layer's writes share, built for either dialect.

PostgreSQL and SQLite speak the same ``INSERT ... ON CONFLICT`` here; only
the import of ``insert`` differs, and row locks exist on PostgreSQL alone
(SQLite write transactions already hold the whole database).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Select,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from yonca.contract import thread_activity, thread_tombstones, threads, users
from yonca.errors import ThreadDeletedError


def insert_for(connection: AsyncConnection, table: Any) -> Any:
    return _insert(connection.dialect.name, table)


def _insert(dialect_name: str, table: Any) -> Any:
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


# Building an upsert costs more than running it (each ON CONFLICT clause
# derives an alias of the whole table), and writes come in a handful of
# shapes, so each shape is built once with bound parameters and reused.
@lru_cache(maxsize=128)
def upsert(
    dialect_name: str,
    table: Table,
    columns: tuple[str, ...],
    *,
    fill_only: bool = False,
    same_thread: bool = False,
) -> Any:
    """``INSERT ... ON CONFLICT (id) DO UPDATE`` of ``columns``.

    ``fill_only`` keeps what a row already holds and only fills its empty
    columns; ``same_thread`` leaves a row of another thread untouched (the
    statement then reports no row written).
    """
    statement = _insert(dialect_name, table).values(
        {name: bindparam(name, type_=table.c[name].type) for name in columns}
    )
    excluded = statement.excluded
    updates = {
        name: func.coalesce(table.c[name], excluded[name])
        if fill_only
        else excluded[name]
        for name in columns
        if name != "id"
    }
    where = table.c.threadId == excluded.threadId if same_thread else None
    return statement.on_conflict_do_update(
        index_elements=["id"], set_=updates, where=where
    )


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
    await connection.execute(
        _ensure_thread_statement(connection.dialect.name),
        {"id": thread_id, "createdAt": created_at},
    )


@lru_cache(maxsize=4)
def _ensure_thread_statement(dialect_name: str) -> Any:
    return (
        _insert(dialect_name, threads)
        .values(id=bindparam("id"), createdAt=bindparam("createdAt"))
        .on_conflict_do_nothing(index_elements=["id"])
    )


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
    statement = _touch_statement(connection.dialect.name, activity_at is not None)
    parameters = {"thread_id": thread_id, "activity_at": activity_at}
    result = await connection.execute(statement, parameters)
    if result.rowcount == 0:
        raise ThreadDeletedError(thread_id)


@lru_cache(maxsize=8)
def _touch_statement(dialect_name: str, with_moment: bool) -> Any:
    thread_id = bindparam("thread_id", type_=threads.c.id.type)
    owner = select(users.c.id).where(users.c.id == threads.c.userId).scalar_subquery()
    moment: Any = (
        bindparam("activity_at", type_=threads.c.createdAt.type)
        if with_moment
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
    statement = _insert(dialect_name, thread_activity).from_select(
        ["thread_id", "user_id", "last_activity_at"], source
    )
    newer = statement.excluded.last_activity_at
    latest: Any = thread_activity.c.last_activity_at
    if with_moment:
        latest = case((newer > latest, newer), else_=latest)
    # Updating the owner too keeps the sidebar's index in step with the
    # thread when update_thread assigns it to a user.
    return statement.on_conflict_do_update(
        index_elements=["thread_id"],
        set_={"user_id": statement.excluded.user_id, "last_activity_at": latest},
    )
