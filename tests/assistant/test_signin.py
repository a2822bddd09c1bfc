"""Sign-in links every farmer to a persona, by password or through OAuth."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import chainlit as cl
import pytest

from yonca.assistant import signin
from yonca.datalayer import YoncaDataLayer
from yonca.domain import accounts
from yonca.domain.personas import get_farm_context


@pytest.fixture
async def data_layer(
    database_url: str, tmp_path: Path
) -> AsyncIterator[YoncaDataLayer]:
    layer = YoncaDataLayer(database_url, files_dir=tmp_path, secret="test-secret")
    yield layer
    await layer.close()


async def test_password_sign_in_links_the_account_to_a_persona(
    data_layer: YoncaDataLayer,
) -> None:
    email = f"farmer-{uuid.uuid4().hex[:8]}@example.az"
    account = await accounts.create_account(
        data_layer.engine, email, "long-enough", display_name="Könül"
    )
    assert await get_farm_context(data_layer.engine, account.user_id) is None

    user = await signin.sign_in_with_password(data_layer.engine, email, "long-enough")
    refused = await signin.sign_in_with_password(data_layer.engine, email, "wrong-one")

    assert user is not None and refused is None
    assert user.identifier == email
    assert user.display_name == "Könül"
    assert await get_farm_context(data_layer.engine, account.user_id) is not None


async def test_oauth_sign_in_creates_the_user_profile_and_persona(
    data_layer: YoncaDataLayer,
) -> None:
    email = f"Google-{uuid.uuid4().hex[:8]}@Example.AZ"
    provider_user = cl.User(
        identifier=email, display_name="Elçin", metadata={"image": "https://x/y.png"}
    )

    first = await signin.sign_in_with_oauth(
        data_layer, data_layer.engine, "google", provider_user
    )
    second = await signin.sign_in_with_oauth(
        data_layer, data_layer.engine, "google", provider_user
    )

    assert first is not None and second is not None
    assert first.identifier == email.lower()
    persisted = await data_layer.get_user(email.lower())
    assert persisted is not None
    assert persisted.metadata["provider"] == "google"
    account = await accounts.get_account(data_layer.engine, email)
    assert account is not None and not account.has_password
    context = await get_farm_context(data_layer.engine, persisted.id)
    assert context is not None
    again = await get_farm_context(data_layer.engine, persisted.id)
    assert again == context
