"""``YoncaDataLayer``: Chainlit's conversation store on the contract schema.

Chainlit calls these methods from its server and from fire-and-forget tasks;
each one is a single transaction that either commits or raises. What makes
it different from Chainlit's stock SQL layer:

* the schema stays exactly the contract, and fields without a column are
  kept in the row's JSON instead of failing the INSERT;
* a step's thread exists before the step is written, in the same
  transaction, and a step's final text survives its first write arriving late;
* the sidebar is one indexed query per page, ordered by last activity;
* a deleted thread stays deleted, whatever late writes arrive for it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import mimetypes
import os
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from chainlit.context import context_var
from chainlit.data.base import BaseDataLayer
from chainlit.data.storage_clients.base import BaseStorageClient
from chainlit.data.utils import queue_until_user_message
from chainlit.element import Element, ElementDict
from chainlit.step import StepDict
from chainlit.types import (
    Feedback,
    PageInfo,
    PaginatedResponse,
    Pagination,
    ThreadDict,
    ThreadFilter,
)
from chainlit.user import PersistedUser, User
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from yonca.contract import (
    elements,
    feedbacks,
    steps,
    thread_activity,
    thread_tombstones,
    threads,
    users,
)
from yonca.database import create_engine
from yonca.datalayer import queries, rows
from yonca.datalayer.statements import (
    ensure_thread,
    for_update,
    insert_for,
    touch_activity,
)
from yonca.datalayer.transactions import Transactions
from yonca.datalayer.values import (
    OVERFLOW_KEY,
    dump_json,
    feedback_to_stored,
    fit_text,
    load_json_object,
    optional_id,
    require_id,
    utc_now,
)
from yonca.errors import (
    InvalidInputError,
    NotFoundError,
    OwnershipError,
    StorageError,
)
from yonca.storage.local import LocalStorageClient

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])

IDENTIFIER_LENGTH = 255
UNSAFE_NAME_CHARACTERS = re.compile(r"[^\w.\- ]+")


def queued(method: F) -> F:
    """Chainlit's queue-until-first-message, usable outside a Chainlit session.

    Inside a websocket session the write waits for the user's first message,
    as Chainlit's base class intends; scripts, tests and HTTP handlers have
    no session to wait for, so the write runs at once.
    """
    chainlit_queued = queue_until_user_message()(method)

    @functools.wraps(method)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if context_var.get(None) is None:
            return await method(self, *args, **kwargs)
        return await chainlit_queued(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class YoncaDataLayer(BaseDataLayer):
    """Persists Chainlit users, threads, steps, elements and feedback.

    ``conninfo`` is a database URL (``postgresql://...`` or ``sqlite:///...``).
    Element files go to ``storage_provider``, by default a local directory
    (``files_dir``) whose URLs are signed with ``secret`` (default:
    ``CHAINLIT_AUTH_SECRET``). Element paths are read only below
    ``upload_dirs`` (default: Chainlit's own upload directory).
    """

    def __init__(
        self,
        conninfo: str,
        storage_provider: BaseStorageClient | None = None,
        *,
        files_dir: Path | str | None = None,
        secret: str | None = None,
        upload_dirs: list[Path] | None = None,
        retry_seconds: float = 30.0,
        engine_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.engine: AsyncEngine = create_engine(conninfo, **dict(engine_options or {}))
        self.transactions = Transactions(self.engine, retry_seconds=retry_seconds)
        self.storage_provider = storage_provider or _default_storage(files_dir, secret)
        self.upload_dirs = [
            Path(directory).resolve() for directory in (upload_dirs or _chainlit_dirs())
        ]

    # -- users ---------------------------------------------------------------

    async def get_user(self, identifier: str) -> PersistedUser | None:
        async def work(connection: AsyncConnection) -> Any:
            result = await connection.execute(
                select(users).where(users.c.identifier == identifier)
            )
            return result.first()

        row = await self.transactions.read("get_user", work)
        return _persisted_user(row) if row is not None else None

    async def create_user(self, user: User) -> PersistedUser | None:
        identifier = _require_identifier(user.identifier)
        incoming = dict(user.metadata or {})
        if user.display_name is not None:
            incoming[OVERFLOW_KEY] = {"display_name": user.display_name}
        dump_json(incoming, "user metadata")

        async def work(connection: AsyncConnection) -> Any:
            existing = (
                await connection.execute(
                    for_update(
                        connection,
                        select(users).where(users.c.identifier == identifier),
                    )
                )
            ).first()
            if existing is None:
                values = {
                    "id": str(uuid.uuid4()),
                    "identifier": identifier,
                    "createdAt": utc_now(),
                    "metadata": dump_json(_without_nulls(incoming), "user metadata"),
                }
                await connection.execute(
                    insert_for(connection, users)
                    .values(values)
                    .on_conflict_do_nothing(index_elements=["identifier"])
                )
            else:
                # Sign-in hands over what the identity provider knows; keep
                # what the app stored (settings, preferences) beside it.
                merged = _merge(load_json_object(existing.metadata, "users"), incoming)
                await connection.execute(
                    update(users)
                    .where(users.c.id == existing.id)
                    .values(metadata=dump_json(merged, "user metadata"))
                )
            result = await connection.execute(
                select(users).where(users.c.identifier == identifier)
            )
            return result.first()

        row = await self.transactions.write("create_user", work)
        return _persisted_user(row)

    # -- threads -------------------------------------------------------------

    async def get_thread_author(self, thread_id: str) -> str:
        async def work(connection: AsyncConnection) -> Any:
            return await connection.scalar(
                select(threads.c.userIdentifier).where(threads.c.id == str(thread_id))
            )

        # Chainlit answers 404 for a falsy author; raising would be a 500.
        author = await self.transactions.read("get_thread_author", work)
        return author  # type: ignore[no-any-return]

    async def get_thread(self, thread_id: str) -> ThreadDict | None:
        thread_id = str(thread_id)

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
        thread_elements = [await self._element_dict(r) for r in element_rows]
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
                merged = _merge(base, incoming)
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
        thread_id = str(thread_id)

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
        await self._delete_files(object_keys)

    async def list_threads(
        self, pagination: Pagination, filters: ThreadFilter
    ) -> PaginatedResponse[ThreadDict]:
        if not filters.userId:
            raise InvalidInputError(
                "list_threads needs filters.userId; threads are listed per user"
            )
        first = max(1, min(int(pagination.first), 200))
        query = queries.SidebarQuery(
            user_id=str(filters.userId),
            first=first,
            cursor=pagination.cursor or None,
            search=(filters.search or "").strip() or None,
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

    # -- steps ---------------------------------------------------------------

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
            statement = insert_for(connection, steps).values(values)
            # A create that lands after the step's update must not undo it:
            # it only fills what the update left empty.
            fill = {
                name: _coalesce(steps.c[name], statement.excluded[name])
                for name in values
                if name != "id"
            }
            await connection.execute(
                statement.on_conflict_do_update(index_elements=["id"], set_=fill)
            )
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
                        select(steps.c.metadata, steps.c.createdAt).where(
                            steps.c.id == values["id"]
                        ),
                    )
                )
            ).first()
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
            document = step_dict["metadata"] if "metadata" in step_dict else stored
            row = dict(values)
            row["metadata"] = rows.step_metadata_json(document, {**kept, **overflow})
            created_at = row.get("createdAt") or (existing and existing.createdAt)
            row["createdAt"] = created_at or utc_now()

            await ensure_thread(connection, thread_id, row["createdAt"])
            statement = insert_for(connection, steps).values(row)
            await connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["id"],
                    set_={
                        name: statement.excluded[name] for name in row if name != "id"
                    },
                )
            )
            await touch_activity(connection, thread_id, row["createdAt"])

        await self.transactions.write("update_step", work)

    @queued
    async def delete_step(self, step_id: str) -> None:
        step_id = str(step_id)

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
        await self._delete_files(object_keys)

    async def get_step(self, step_id: str) -> StepDict | None:
        async def work(connection: AsyncConnection) -> Any:
            statement = queries.steps_with_feedback().where(steps.c.id == str(step_id))
            return (await connection.execute(statement)).first()

        row = await self.transactions.read("get_step", work)
        return rows.step_from_row(row) if row is not None else None

    async def get_favorite_steps(self, user_id: str) -> list[StepDict]:
        async def work(connection: AsyncConnection) -> list[Any]:
            statement = (
                queries.steps_with_feedback()
                .join(threads, threads.c.id == steps.c.threadId)
                .where(
                    threads.c.userId == str(user_id),
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

    # -- feedback ------------------------------------------------------------

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
            thread_id = given_thread or step_thread
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
                await connection.execute(
                    insert_for(connection, feedbacks)
                    .values(id=new_id, forId=for_id, **values)
                    .on_conflict_do_update(index_elements=["id"], set_=values)
                )
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
        async def work(connection: AsyncConnection) -> int:
            result = await connection.execute(
                delete(feedbacks).where(feedbacks.c.id == str(feedback_id))
            )
            return result.rowcount

        return await self.transactions.write("delete_feedback", work) > 0

    # -- elements ------------------------------------------------------------

    @queued
    async def create_element(self, element: Element) -> None:
        element_dict = dict(element.to_dict())
        thread_id = require_id(element_dict.get("threadId"), "element threadId")
        element_id = require_id(element_dict.get("id"), "element id")
        content = await self._element_content(element)
        if content is not None:
            mime = element.mime or _guess_mime(element.name)
            object_key = f"{thread_id}/{element_id}/{_safe_file_name(element.name)}"
            await self._upload(object_key, content, mime)
            element_dict["objectKey"] = object_key
            element_dict["mime"] = mime
            # The URL of a stored file is signed and expires; a fresh one is
            # made on every read, so none is kept.
            element_dict["url"] = None
        values = rows.element_values(element_dict)

        async def work(connection: AsyncConnection) -> None:
            await ensure_thread(connection, thread_id, utc_now())
            statement = insert_for(connection, elements).values(values)
            await connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["id"],
                    set_={k: statement.excluded[k] for k in values if k != "id"},
                )
            )
            await touch_activity(connection, thread_id, None)

        try:
            await self.transactions.write("create_element", work)
        except BaseException:
            if content is not None:
                await self._delete_files([values["objectKey"]], quiet=True)
            raise

    async def get_element(self, thread_id: str, element_id: str) -> ElementDict | None:
        async def work(connection: AsyncConnection) -> Any:
            result = await connection.execute(
                select(elements).where(
                    elements.c.id == str(element_id),
                    elements.c.threadId == str(thread_id),
                )
            )
            return result.first()

        row = await self.transactions.read("get_element", work)
        return await self._element_dict(row) if row is not None else None

    @queued
    async def delete_element(
        self, element_id: str, thread_id: str | None = None
    ) -> None:
        async def work(connection: AsyncConnection) -> list[str]:
            condition = elements.c.id == str(element_id)
            if thread_id is not None:
                condition = condition & (elements.c.threadId == str(thread_id))
            result = await connection.execute(
                delete(elements).where(condition).returning(elements.c.objectKey)
            )
            return [key for key in result.scalars() if key]

        object_keys = await self.transactions.write("delete_element", work)
        await self._delete_files(object_keys)

    async def _element_content(self, element: Element) -> bytes | str | None:
        if element.content is not None:
            return element.content
        if element.path:
            return await asyncio.to_thread(self._read_upload, element.path)
        # A URL is stored as given: fetching it here would let any client make
        # the server request addresses of its choosing.
        return None

    def _read_upload(self, path_text: str) -> bytes:
        path = Path(path_text).resolve()
        if not any(path.is_relative_to(root) for root in self.upload_dirs):
            raise InvalidInputError(
                f"refusing to read {path_text!r}: element files are read only from "
                "Chainlit's upload directory; send the bytes as content instead"
            )
        try:
            return path.read_bytes()
        except OSError as exc:
            raise InvalidInputError(
                f"cannot read the uploaded file {path.name!r}: {exc.strerror or exc}"
            ) from exc

    async def _upload(self, object_key: str, content: bytes | str, mime: str) -> None:
        try:
            await self.storage_provider.upload_file(
                object_key=object_key, data=content, mime=mime, overwrite=True
            )
        except StorageError:
            raise
        except Exception as exc:
            raise StorageError(
                f"the storage client could not store {object_key!r}: {exc}"
            ) from exc

    async def _element_dict(self, row: Any) -> ElementDict:
        element = rows.element_from_row(row)
        object_key = element.get("objectKey")
        if object_key:
            try:
                element["url"] = await self.storage_provider.get_read_url(object_key)
            except Exception:
                logger.warning(
                    "no read URL for element %s; keeping the stored one", element["id"]
                )
        return element

    async def _delete_files(
        self, object_keys: list[str], *, quiet: bool = False
    ) -> None:
        failures = []
        for key in object_keys:
            try:
                await self.storage_provider.delete_file(object_key=key)
            except Exception as exc:
                failures.append(f"{key}: {exc}")
        if failures and not quiet:
            raise StorageError(
                "the rows were deleted but these stored files were not: "
                + "; ".join(failures)
                + " (delete them from the storage by hand)"
            )
        if failures:
            logger.warning(
                "could not remove %d file(s) after a failed write", len(failures)
            )

    # -- helpers for the app -------------------------------------------------

    async def can_read_thread(self, thread_id: str, user_identifier: str) -> bool:
        """Whether ``user_identifier`` owns the thread or it is shared."""

        async def work(connection: AsyncConnection) -> Any:
            result = await connection.execute(
                select(threads.c.userIdentifier, threads.c.metadata).where(
                    threads.c.id == str(thread_id)
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

    async def get_step_author(self, step_id: str) -> str | None:
        """The identifier of the user owning the step's thread."""

        async def work(connection: AsyncConnection) -> Any:
            return await connection.scalar(
                select(threads.c.userIdentifier)
                .select_from(steps.join(threads, threads.c.id == steps.c.threadId))
                .where(steps.c.id == str(step_id))
            )

        return await self.transactions.read("get_step_author", work)  # type: ignore[no-any-return]

    async def get_feedback_author(self, feedback_id: str) -> str | None:
        """The identifier of the user owning the thread a feedback is on."""

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
                    threads.c.id == _coalesce(feedbacks.c.threadId, step_thread),
                )
                .where(feedbacks.c.id == str(feedback_id))
            )

        return await self.transactions.read("get_feedback_author", work)  # type: ignore[no-any-return]

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

    # -- lifecycle -----------------------------------------------------------

    async def build_debug_url(self) -> str:
        return ""

    async def close(self) -> None:
        try:
            await self.storage_provider.close()
        finally:
            await self.engine.dispose()


def _coalesce(first: Any, second: Any) -> Any:
    return func.coalesce(first, second)


def _merge(base: dict[str, Any], incoming: Mapping[str, Any]) -> dict[str, Any]:
    """Merge metadata as Chainlit expects: a key set to ``None`` is removed."""
    merged = dict(base)
    for key, value in incoming.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _without_nulls(document: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if value is not None}


def _persisted_user(row: Any) -> PersistedUser:
    metadata = load_json_object(row.metadata, "users.metadata")
    overflow = metadata.pop(OVERFLOW_KEY, None) or {}
    return PersistedUser(
        id=row.id,
        identifier=row.identifier,
        createdAt=row.createdAt,
        metadata=metadata,
        display_name=overflow.get("display_name"),
    )


def _require_identifier(identifier: Any) -> str:
    text = "" if identifier is None else str(identifier)
    if not text:
        raise InvalidInputError("a user needs a non-empty identifier (an email, say)")
    stored = fit_text(text, IDENTIFIER_LENGTH, "identifier", overflow := {})
    if overflow or stored != text:
        raise InvalidInputError(
            f"user identifier {text[:40]!r}... cannot be stored as it is: identifiers "
            f"hold at most {IDENTIFIER_LENGTH} characters and no NUL bytes"
        )
    return text


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


def _guess_mime(name: str | None) -> str:
    guessed, _ = mimetypes.guess_type(name or "")
    return guessed or "application/octet-stream"


def _safe_file_name(name: str | None) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    cleaned = UNSAFE_NAME_CHARACTERS.sub("_", base).strip(" .")
    return cleaned[:120] or "file"


def _default_storage(
    files_dir: Path | str | None, secret: str | None
) -> LocalStorageClient:
    from yonca.settings import get_settings

    secret = secret or os.environ.get("CHAINLIT_AUTH_SECRET")
    if not secret:
        # Without a configured secret the links are signed with a key that
        # lives as long as the process; links are made fresh on every read.
        logger.info("no CHAINLIT_AUTH_SECRET: file links last until restart")
        secret = secrets.token_urlsafe(32)
    return LocalStorageClient(files_dir or get_settings().files_dir, secret)


def _chainlit_dirs() -> list[Path]:
    from chainlit.config import FILES_DIRECTORY

    return [Path(FILES_DIRECTORY)]
