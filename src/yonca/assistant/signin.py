"""Sign-in: passwords from ``user_credentials``, and OAuth providers.

Either way, a farmer signing in for the first time is linked to a persona
with a farm, so that the first conversation already knows where they farm.
"""

from __future__ import annotations

import logging

import chainlit as cl
from chainlit.data.base import BaseDataLayer
from sqlalchemy.ext.asyncio import AsyncEngine

from yonca.domain import accounts
from yonca.domain.personas import ensure_persona
from yonca.errors import InvalidInputError

logger = logging.getLogger(__name__)


async def sign_in_with_password(
    engine: AsyncEngine, username: str, password: str
) -> cl.User | None:
    account = await accounts.authenticate(engine, username, password)
    if account is None:
        logger.info("refused a password sign-in")
        return None

    await ensure_persona(engine, account.user_id)
    return cl.User(
        identifier=account.identifier,
        display_name=account.display_name,
        metadata={"provider": "credentials"},
    )


async def sign_in_with_oauth(
    data_layer: BaseDataLayer,
    engine: AsyncEngine,
    provider_id: str,
    provider_user: cl.User,
) -> cl.User | None:
    """Accept a user the OAuth provider vouched for, and set up their farm.

    Chainlit creates the users row only after this returns; the persona
    needs its id now, so the row is created here (Chainlit's own call later
    merges into it).
    """
    user = cl.User(
        identifier=_identifier(provider_user.identifier),
        display_name=provider_user.display_name,
        metadata={**provider_user.metadata, "provider": provider_id},
    )
    persisted = await data_layer.create_user(user)
    if persisted is None:
        logger.warning("the data layer stored no user for a %s sign-in", provider_id)
        return None

    await accounts.ensure_profile(
        engine, persisted.id, user.identifier, user.display_name
    )
    await ensure_persona(engine, persisted.id)
    logger.info("signed in %s through %s", user.identifier, provider_id)
    return user


def _identifier(raw: str) -> str:
    # E-mail addresses are kept in lower case, so that a farmer who signs in
    # with Google and with a password is one account. Providers that name
    # users otherwise (GitHub logins) keep their names.
    try:
        return accounts.normalize_identifier(raw)
    except InvalidInputError:
        return raw
