"""Opening and continuing a chat: what one Chainlit session knows and stores.

A chat starts from the signed-in farmer: their farm context (made on first
sign-in), their stored preferences and the chosen profile. Every question
tags the thread with that context, so the sidebar, search and any later
analysis see which farm, area, language and model a conversation was about.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import chainlit as cl
from chainlit.context import context
from chainlit.user import PersistedUser

from yonca.assistant.conversation import ChatState, ChatStates, turns_from_steps
from yonca.assistant.models import ModelCatalog, ModelChoice
from yonca.assistant.preferences import METADATA_KEY, Preferences, stored_preferences
from yonca.assistant.profiles import WHOLE_FARM, profile_or_default
from yonca.datalayer import YoncaDataLayer
from yonca.domain import accounts
from yonca.domain.personas import FarmContext, ensure_persona
from yonca.errors import ConfigurationError

logger = logging.getLogger(__name__)


class Chats:
    """The chat states of live sessions, and how to build one."""

    def __init__(self, models: ModelCatalog) -> None:
        self.models = models
        self.states = ChatStates()

    async def open(
        self,
        data_layer: YoncaDataLayer,
        user: PersistedUser,
        profile: str | None,
        steps: Iterable[Mapping[str, Any]] = (),
        *,
        skip_step_ids: Iterable[str] = (),
    ) -> ChatState:
        """Build the session's state, with the turns of ``steps`` if resuming."""
        farm = await ensure_persona(data_layer.engine, user.id)
        language = await accounts.get_language(data_layer.engine, user.id)
        preferences = stored_preferences(
            user.metadata, default_model=self.models.default, default_language=language
        )
        state = ChatState(
            farm=farm,
            preferences=preferences,
            profile=profile_or_default(profile),
            turns=turns_from_steps(steps, skip_ids=skip_step_ids),
        )
        self.states.put(context.session.id, state)
        return state

    async def current(
        self, data_layer: YoncaDataLayer, *, skip_step_id: str | None = None
    ) -> ChatState:
        """The session's state, rebuilt from the stored thread when missing.

        Chainlit ends a chat when its connection drops but keeps the session
        for a reconnect, which gets no new start; the state comes back here.
        """
        state = self.states.get(context.session.id)
        if state is not None:
            return state
        thread = await data_layer.get_thread(context.session.thread_id)
        return await self.open(
            data_layer,
            await signed_in_user(data_layer),
            context.session.chat_profile,
            thread["steps"] if thread else (),
            skip_step_ids=[skip_step_id] if skip_step_id else (),
        )

    def forget(self) -> None:
        self.states.forget(context.session.id)

    def usable_model(self, preferences: Preferences) -> ModelChoice:
        """The farmer's model, or the default when its provider is gone."""
        try:
            self.models.client_for(preferences.model)
        except ConfigurationError as exc:
            logger.warning("using the default model instead: %s", exc)
            return self.models.default
        return preferences.model


async def signed_in_user(data_layer: YoncaDataLayer) -> PersistedUser:
    user = context.session.user
    if isinstance(user, PersistedUser):
        return user
    if user is None:
        raise ConfigurationError(
            "the chat has no signed-in user; Yonca needs sign-in, check that the "
            "app was started with 'yonca serve'"
        )
    persisted = await data_layer.get_user(
        user.identifier
    ) or await data_layer.create_user(user)
    if persisted is None:
        raise ConfigurationError(f"the data layer did not store user {user.identifier}")
    return persisted


async def save_preferences(
    data_layer: YoncaDataLayer, user: PersistedUser, preferences: Preferences
) -> None:
    """Keep the preferences in ``users.metadata`` for the farmer's next chats."""
    await data_layer.create_user(
        cl.User(
            identifier=user.identifier,
            display_name=user.display_name,
            metadata={METADATA_KEY: preferences.as_settings()},
        )
    )
    user.metadata[METADATA_KEY] = preferences.as_settings()


async def tag_thread(
    data_layer: YoncaDataLayer,
    user: PersistedUser,
    state: ChatState,
    model: ModelChoice,
) -> None:
    """Record on the thread whose farm it is about and how it is answered."""
    await data_layer.update_thread(
        context.session.thread_id,
        user_id=user.id,
        metadata=thread_metadata(state.farm, state.profile, state.preferences, model),
        tags=thread_tags(state.farm, state.profile),
    )


def thread_metadata(
    farm: FarmContext, profile: str, preferences: Preferences, model: ModelChoice
) -> dict[str, Any]:
    areas = list(farm.expertise_areas) if profile == WHOLE_FARM else [profile]
    return {
        "farm_id": farm.farm.id if farm.farm else None,
        "expertise_areas": areas,
        "alem_persona_fin": farm.persona.fin,
        "language": preferences.language,
        "active_model": model.as_metadata(),
        # Chainlit restores the profile of a resumed thread from this key.
        "chat_profile": profile,
    }


def thread_tags(farm: FarmContext, profile: str) -> list[str]:
    return [f"profile:{profile}", f"region:{farm.region_slug}"]
