"""Accounts: a Chainlit ``users`` row, its password and its profile.

Password sign-in reads ``user_credentials``; OAuth users have no row there.
Both get a ``user_profiles`` row with their display name and language. The
``users`` row is Chainlit's; it is written here only for accounts made before
their first sign-in, in the form the data layer reads back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from yonca.contract import user_credentials, user_profiles, users
from yonca.domain import passwords
from yonca.domain.catalog import LANGUAGES
from yonca.domain.clock import utc_timestamp
from yonca.domain.transactions import reading, writing
from yonca.errors import InvalidInputError, NotFoundError, YoncaError

logger = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "az"


class AccountExistsError(YoncaError):
    """An account with this e-mail address already signs in with a password."""

    def __init__(self, identifier: str) -> None:
        super().__init__(
            f"{identifier} already has a password; change it with "
            f"'yonca users set-password {identifier}'"
        )
        self.identifier = identifier


class AccountNotFoundError(NotFoundError):
    def __init__(self, identifier: str) -> None:
        super().__init__(
            f"there is no account {identifier}; create it with "
            f"'yonca users add {identifier}'"
        )
        self.identifier = identifier


@dataclass(frozen=True)
class Account:
    user_id: str
    identifier: str
    display_name: str | None
    language: str
    has_password: bool


def normalize_identifier(raw: str) -> str:
    """Return the e-mail address accounts are keyed by, or refuse the text.

    Addresses are compared case-insensitively in practice, so they are kept
    in lower case: 'Aysel@Example.az' and 'aysel@example.az' are one farmer.
    """
    identifier = raw.strip().lower()
    local, _, domain = identifier.rpartition("@")
    if not local or "." not in domain or any(char.isspace() for char in identifier):
        raise InvalidInputError(
            f"{raw!r} is not an e-mail address; accounts are named by e-mail, "
            "such as 'farmer@example.az'"
        )
    return identifier


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInputError(
            f"language {language!r} is not supported; choose one of "
            f"{', '.join(LANGUAGES)}"
        )
    return language


async def create_account(
    engine: AsyncEngine,
    identifier: str,
    password: str,
    *,
    display_name: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> Account:
    """Create an account that signs in with ``password``.

    A user who signed in before through OAuth keeps their row and gains a
    password; an account that already has one is refused.
    """
    identifier = normalize_identifier(identifier)
    check_language(language)
    passwords.check_password_strength(password)
    password_hash = await asyncio.to_thread(passwords.hash_password, password)

    async with writing(engine) as connection:
        user_id = await _user_id(connection, identifier)
        if user_id is None:
            user_id = await _insert_user(connection, identifier)
        elif await _has_password(connection, user_id):
            raise AccountExistsError(identifier)
        now = utc_timestamp()
        await connection.execute(
            user_credentials.insert().values(
                user_id=user_id,
                password_hash=password_hash,
                created_at=now,
                updated_at=now,
            )
        )
        await _upsert_profile(connection, user_id, identifier, display_name, language)

    logger.info("created account %s", identifier)
    return Account(user_id, identifier, display_name, language, has_password=True)


async def set_password(engine: AsyncEngine, identifier: str, password: str) -> None:
    identifier = normalize_identifier(identifier)
    passwords.check_password_strength(password)
    password_hash = await asyncio.to_thread(passwords.hash_password, password)

    async with writing(engine) as connection:
        user_id = await _user_id(connection, identifier)
        if user_id is None:
            raise AccountNotFoundError(identifier)
        await _store_password_hash(connection, user_id, password_hash)

    logger.info("changed the password of %s", identifier)


async def authenticate(
    engine: AsyncEngine, identifier: str, password: str
) -> Account | None:
    """Return the account when ``password`` is its password, else ``None``."""
    try:
        identifier = normalize_identifier(identifier)
    except InvalidInputError:
        await asyncio.to_thread(passwords.verify_against_nothing, password)
        return None

    async with reading(engine) as connection:
        row = (
            await connection.execute(
                select(users.c.id, user_credentials.c.password_hash)
                .join(user_credentials, user_credentials.c.user_id == users.c.id)
                .where(users.c.identifier == identifier)
            )
        ).first()
    if row is None:
        await asyncio.to_thread(passwords.verify_against_nothing, password)
        return None
    user_id, password_hash = row
    if not await asyncio.to_thread(passwords.verify_password, password_hash, password):
        return None

    if passwords.needs_rehash(password_hash):
        # Hashing parameters grew stronger since this hash was made; the
        # password is at hand only now, so this is the moment to upgrade.
        new_hash = await asyncio.to_thread(passwords.hash_password, password)
        async with writing(engine) as connection:
            await _store_password_hash(connection, user_id, new_hash)
    return await get_account(engine, identifier)


async def get_account(engine: AsyncEngine, identifier: str) -> Account | None:
    identifier = normalize_identifier(identifier)
    async with reading(engine) as connection:
        accounts = await _select_accounts(connection, identifier)
    return accounts[0] if accounts else None


async def list_accounts(engine: AsyncEngine) -> list[Account]:
    async with reading(engine) as connection:
        return await _select_accounts(connection, None)


async def ensure_profile(
    engine: AsyncEngine,
    user_id: str,
    identifier: str,
    display_name: str | None,
) -> None:
    """Give a user who signed in without ``yonca users add`` their profile."""
    async with writing(engine) as connection:
        exists = (
            await connection.execute(
                select(user_profiles.c.id).where(user_profiles.c.user_id == user_id)
            )
        ).first()
        if exists is None:
            await _upsert_profile(
                connection, user_id, identifier, display_name, DEFAULT_LANGUAGE
            )


async def _select_accounts(
    connection: AsyncConnection, identifier: str | None
) -> list[Account]:
    query = (
        select(
            users.c.id,
            users.c.identifier,
            user_profiles.c.display_name,
            user_profiles.c.language,
            user_credentials.c.user_id.is_not(None).label("has_password"),
        )
        .outerjoin(user_profiles, user_profiles.c.user_id == users.c.id)
        .outerjoin(user_credentials, user_credentials.c.user_id == users.c.id)
        .order_by(users.c.identifier)
    )
    if identifier is not None:
        query = query.where(users.c.identifier == identifier)
    rows = (await connection.execute(query)).all()
    return [
        Account(
            user_id=row.id,
            identifier=row.identifier,
            display_name=row.display_name,
            language=row.language or DEFAULT_LANGUAGE,
            has_password=bool(row.has_password),
        )
        for row in rows
    ]


async def _user_id(connection: AsyncConnection, identifier: str) -> str | None:
    return (
        await connection.execute(
            select(users.c.id).where(users.c.identifier == identifier)
        )
    ).scalar_one_or_none()


async def _has_password(connection: AsyncConnection, user_id: str) -> bool:
    found = await connection.execute(
        select(user_credentials.c.user_id).where(user_credentials.c.user_id == user_id)
    )
    return found.first() is not None


async def _insert_user(connection: AsyncConnection, identifier: str) -> str:
    user_id = str(uuid.uuid4())
    await connection.execute(
        users.insert().values(
            id=user_id,
            identifier=identifier,
            createdAt=utc_timestamp(),
            metadata=json.dumps({}),
        )
    )
    return user_id


async def _store_password_hash(
    connection: AsyncConnection, user_id: str, password_hash: str
) -> None:
    now = utc_timestamp()
    updated = await connection.execute(
        user_credentials.update()
        .where(user_credentials.c.user_id == user_id)
        .values(password_hash=password_hash, updated_at=now)
    )
    if updated.rowcount == 0:
        await connection.execute(
            user_credentials.insert().values(
                user_id=user_id,
                password_hash=password_hash,
                created_at=now,
                updated_at=now,
            )
        )


async def _upsert_profile(
    connection: AsyncConnection,
    user_id: str,
    identifier: str,
    display_name: str | None,
    language: str,
) -> None:
    now = utc_timestamp()
    values = {"email": identifier, "display_name": display_name, "language": language}
    updated = await connection.execute(
        user_profiles.update()
        .where(user_profiles.c.user_id == user_id)
        .values(**values, updated_at=now)
    )
    if updated.rowcount == 0:
        await connection.execute(
            user_profiles.insert().values(
                id=str(uuid.uuid4()),
                user_id=user_id,
                created_at=now,
                updated_at=now,
                **values,
            )
        )


async def get_language(engine: AsyncEngine, user_id: str) -> str:
    """The language a user's profile names, or Azerbaijani without one."""
    async with reading(engine) as connection:
        language = await connection.scalar(
            select(user_profiles.c.language).where(user_profiles.c.user_id == user_id)
        )
    return language if language in LANGUAGES else DEFAULT_LANGUAGE
