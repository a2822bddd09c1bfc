"""Accounts: password sign-in, profiles, and the users rows they rest on."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from yonca.contract import user_credentials, user_profiles, users
from yonca.database import create_engine
from yonca.domain import accounts
from yonca.errors import InvalidInputError


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


def fresh_email() -> str:
    return f"Farmer-{uuid.uuid4().hex[:10]}@Example.AZ"


async def test_an_account_signs_in_with_its_password_only(engine: AsyncEngine) -> None:
    email = fresh_email()
    created = await accounts.create_account(
        engine, email, "pambıq-2026", display_name="Rəşad", language="en"
    )

    signed_in = await accounts.authenticate(engine, email.lower(), "pambıq-2026")

    assert signed_in == created
    assert created.identifier == email.lower()
    assert await accounts.authenticate(engine, email, "wrong password") is None
    assert await accounts.authenticate(engine, "nobody@example.az", "x" * 10) is None
    assert await accounts.authenticate(engine, "not an email", "x" * 10) is None


async def test_the_password_is_stored_as_an_argon2_hash(engine: AsyncEngine) -> None:
    account = await accounts.create_account(engine, fresh_email(), "secret-password")

    async with engine.connect() as connection:
        stored = await connection.scalar(
            select(user_credentials.c.password_hash).where(
                user_credentials.c.user_id == account.user_id
            )
        )
        user = (
            await connection.execute(select(users).where(users.c.id == account.user_id))
        ).one()
        profile = (
            await connection.execute(
                select(user_profiles).where(user_profiles.c.user_id == account.user_id)
            )
        ).one()

    assert stored.startswith("$argon2id$")
    assert "secret-password" not in stored
    assert json.loads(user.metadata) == {}
    assert user.createdAt.endswith("Z")
    assert profile.email == account.identifier
    assert profile.language == "az"


async def test_a_second_account_for_the_same_email_is_refused(
    engine: AsyncEngine,
) -> None:
    email = fresh_email()
    await accounts.create_account(engine, email, "first-password")

    with pytest.raises(accounts.AccountExistsError, match="set-password"):
        await accounts.create_account(engine, email.upper(), "second-password")
    assert await accounts.authenticate(engine, email, "first-password") is not None


async def test_changing_the_password_replaces_the_old_one(engine: AsyncEngine) -> None:
    email = fresh_email()
    await accounts.create_account(engine, email, "first-password")

    await accounts.set_password(engine, email, "second-password")

    assert await accounts.authenticate(engine, email, "first-password") is None
    assert await accounts.authenticate(engine, email, "second-password") is not None
    with pytest.raises(accounts.AccountNotFoundError, match="yonca users add"):
        await accounts.set_password(engine, fresh_email(), "second-password")


@pytest.mark.parametrize(
    ("email", "password", "language", "message"),
    [
        ("farmer.example.az", "long-enough", "az", "e-mail"),
        ("farmer@example", "long-enough", "az", "e-mail"),
        ("farmer@example.az", "short", "az", "at least 8"),
        ("farmer@example.az", "long-enough", "tr", "az, en, ru"),
    ],
)
async def test_unusable_accounts_are_refused_with_the_reason(
    engine: AsyncEngine, email: str, password: str, language: str, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        await accounts.create_account(engine, email, password, language=language)


async def test_accounts_are_listed_with_how_they_sign_in(engine: AsyncEngine) -> None:
    email = fresh_email()
    await accounts.create_account(engine, email, "long-enough", display_name="Aynur")

    listed = {
        account.identifier: account for account in await accounts.list_accounts(engine)
    }

    assert listed[email.lower()].has_password
    assert listed[email.lower()].display_name == "Aynur"
    assert await accounts.get_language(engine, listed[email.lower()].user_id) == "az"
