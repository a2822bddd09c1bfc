"""The data layer's elements: rows in the contract, bytes in storage."""

from __future__ import annotations

from typing import Any

from chainlit.element import Element, ElementDict
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from yonca.contract import (
    elements,
)
from yonca.datalayer import rows
from yonca.datalayer.files import ElementFiles, guess_mime, object_key_for
from yonca.datalayer.queueing import queued
from yonca.datalayer.statements import (
    ensure_thread,
    touch_activity,
    upsert,
)
from yonca.datalayer.transactions import Transactions
from yonca.datalayer.values import (
    lookup_id,
    require_id,
    utc_now,
)


class ElementMethods:
    """``BaseDataLayer``'s element methods."""

    transactions: Transactions
    files: ElementFiles

    @queued
    async def create_element(self, element: Element) -> None:
        element_dict = dict(element.to_dict())
        thread_id = require_id(element_dict.get("threadId"), "element threadId")
        element_id = require_id(element_dict.get("id"), "element id")
        content = await self.files.content_of(element)
        if content is not None:
            mime = element.mime or guess_mime(element.name)
            object_key = object_key_for(thread_id, element_id, element.name)
            await self.files.upload(object_key, content, mime)
            element_dict["objectKey"] = object_key
            element_dict["mime"] = mime
            # The URL of a stored file is signed and expires; a fresh one is
            # made on every read, so none is kept.
            element_dict["url"] = None
        values = rows.element_values(element_dict)

        async def work(connection: AsyncConnection) -> None:
            await ensure_thread(connection, thread_id, utc_now())
            statement = upsert(connection.dialect.name, elements, tuple(values))
            await connection.execute(statement, values)
            await touch_activity(connection, thread_id, None)

        try:
            await self.transactions.write("create_element", work)
        except BaseException:
            if content is not None:
                await self.files.delete([values["objectKey"]], quiet=True)
            raise

    async def get_element(self, thread_id: str, element_id: str) -> ElementDict | None:
        thread_key, element_key = lookup_id(thread_id), lookup_id(element_id)
        if thread_key is None or element_key is None:
            return None

        async def work(connection: AsyncConnection) -> Any:
            result = await connection.execute(
                select(elements).where(
                    elements.c.id == element_key,
                    elements.c.threadId == thread_key,
                )
            )
            return result.first()

        row = await self.transactions.read("get_element", work)
        return await self.files.element_dict(row) if row is not None else None

    @queued
    async def delete_element(
        self, element_id: str, thread_id: str | None = None
    ) -> None:
        element_key = lookup_id(element_id)
        thread_key = lookup_id(thread_id) if thread_id is not None else None
        if element_key is None or (thread_id is not None and thread_key is None):
            return

        async def work(connection: AsyncConnection) -> list[str]:
            condition = elements.c.id == element_key
            if thread_id is not None:
                condition = condition & (elements.c.threadId == thread_key)
            result = await connection.execute(
                delete(elements).where(condition).returning(elements.c.objectKey)
            )
            return [key for key in result.scalars() if key]

        object_keys = await self.transactions.write("delete_element", work)
        await self.files.delete(object_keys)
