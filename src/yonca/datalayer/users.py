"""The data layer's users: sign-in creates them, the app reads them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from chainlit.user import PersistedUser, User
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yonca.contract import (
    users,
)
from yonca.datalayer import rows
from yonca.datalayer.statements import (
    for_update,
    insert_for,
)
from yonca.datalayer.transactions import Transactions
from yonca.datalayer.values import (
    OVERFLOW_KEY,
    dump_json,
    fit_text,
    load_json_object,
    merge_metadata,
    searchable_text,
    utc_now,
)
from yonca.errors import (
    InvalidInputError,
)

IDENTIFIER_LENGTH = 255


class UserMethods:
    """``BaseDataLayer``'s user methods."""

    transactions: Transactions

    async def get_user(self, identifier: str) -> PersistedUser | None:
        if searchable_text(str(identifier)) != identifier:
            return None  # no stored identifier holds a NUL or a lone surrogate

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
                merged = merge_metadata(
                    load_json_object(existing.metadata, "users"), incoming
                )
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


def _without_nulls(document: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if value is not None}


def _persisted_user(row: Any) -> PersistedUser:
    metadata, overflow = rows.split_overflow(row.metadata, "users.metadata")
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
    overflow: dict[str, Any] = {}
    stored = fit_text(text, IDENTIFIER_LENGTH, "identifier", overflow)
    if overflow or stored != text:
        raise InvalidInputError(
            f"user identifier {text[:40]!r}... cannot be stored as it is: identifiers "
            f"hold at most {IDENTIFIER_LENGTH} characters and no NUL bytes"
        )
    return text
