"""Users as Chainlit's sign-in creates and reads them."""

from __future__ import annotations

import uuid

import pytest
from chainlit.user import User

from yonca.datalayer import YoncaDataLayer
from yonca.errors import InvalidInputError


async def test_create_then_get_a_user(layer: YoncaDataLayer) -> None:
    identifier = f"{uuid.uuid4()}@yonca.az"
    created = await layer.create_user(
        User(
            identifier=identifier,
            display_name="Aygün",
            metadata={"provider": "credentials"},
        )
    )

    fetched = await layer.get_user(identifier)

    assert created == fetched
    assert fetched is not None
    assert fetched.display_name == "Aygün"
    assert fetched.metadata == {"provider": "credentials"}
    assert fetched.createdAt.endswith("Z")
    uuid.UUID(fetched.id)


async def test_signing_in_again_keeps_what_the_app_stored(
    layer: YoncaDataLayer,
) -> None:
    identifier = f"{uuid.uuid4()}@yonca.az"
    first = await layer.create_user(
        User(identifier=identifier, metadata={"provider": "google"})
    )
    assert first is not None
    await layer.create_user(
        User(identifier=identifier, metadata={"chat_settings": {"language": "az"}})
    )

    again = await layer.create_user(
        User(identifier=identifier, metadata={"provider": "google"})
    )

    assert again is not None and again.id == first.id
    assert again.metadata == {"provider": "google", "chat_settings": {"language": "az"}}


async def test_an_unknown_user_is_none(layer: YoncaDataLayer) -> None:
    assert await layer.get_user("nobody@yonca.az") is None


@pytest.mark.parametrize("identifier", ["", "x" * 256, "nul\x00@yonca.az"])
async def test_identifiers_the_contract_cannot_hold_are_refused(
    layer: YoncaDataLayer, identifier: str
) -> None:
    with pytest.raises(InvalidInputError):
        await layer.create_user(User(identifier=identifier))
