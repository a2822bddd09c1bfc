"""The Yonca assistant as a Chainlit app.

``yonca serve`` runs this module; ``chainlit run`` on its path works too. Each
callback only hands over to the modules that do the work. Importing it
prepares the database (migrating the embedded default, refusing a database
that is behind) and the signing secret, and refuses to start otherwise.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, cast

import chainlit as cl
from chainlit.config import config_file
from chainlit.context import context
from chainlit.data import get_data_layer
from chainlit.oauth_providers import get_configured_oauth_providers
from chainlit.server import app as chainlit_app
from chainlit.types import ThreadDict

from yonca.assistant import signin, startup
from yonca.assistant.answering import (
    attachment_note,
    question_with_attachments,
    stream_answer,
)
from yonca.assistant.chats import (
    Chats,
    save_preferences,
    signed_in_user,
    tag_thread,
)
from yonca.assistant.configuration import get_assistant_settings
from yonca.assistant.conversation import KIND_KEY, WELCOME_KIND, ChatState, Turn
from yonca.assistant.files import files_router
from yonca.assistant.models import ModelCatalog
from yonca.assistant.ownership import install_routes, ownership_router
from yonca.assistant.preferences import settings_widgets
from yonca.assistant.profiles import chat_profiles, ui_language
from yonca.assistant.prompts import format_area
from yonca.assistant.texts import text
from yonca.datalayer import YoncaDataLayer
from yonca.domain.personas import get_farm_context
from yonca.errors import YoncaError
from yonca.settings import get_settings
from yonca.storage import LocalStorageClient

logger = logging.getLogger(__name__)

try:
    RUNTIME = startup.prepare(get_settings())
    CHATS = Chats(ModelCatalog(get_assistant_settings()))
except YoncaError as exc:
    # Chainlit imports this module while starting; an exception would end in
    # a traceback, where the message saying what to do is easy to miss.
    raise SystemExit(f"Yonca cannot start: {exc}") from None

STORAGE = LocalStorageClient(RUNTIME.files_dir, RUNTIME.auth_secret)
install_routes(chainlit_app, files_router(STORAGE), ownership_router())
startup.check_chainlit_settings(Path(config_file))


@cl.data_layer
def create_data_layer() -> YoncaDataLayer:
    return YoncaDataLayer(RUNTIME.database_url, storage_provider=STORAGE)


def data_layer() -> YoncaDataLayer:
    return cast(YoncaDataLayer, get_data_layer())


@cl.password_auth_callback
async def password_sign_in(username: str, password: str) -> cl.User | None:
    return await signin.sign_in_with_password(data_layer().engine, username, password)


async def oauth_sign_in(
    provider_id: str,
    token: str,
    raw_user_data: dict[str, Any],
    default_user: cl.User,
    id_token: str | None = None,
) -> cl.User | None:
    layer = data_layer()
    return await signin.sign_in_with_oauth(
        layer, layer.engine, provider_id, default_user
    )


# Chainlit refuses an OAuth callback when no provider is configured; the
# providers are switched on by their environment variables (OAUTH_GOOGLE_...).
if get_configured_oauth_providers():
    cl.oauth_callback(oauth_sign_in)


@cl.set_chat_profiles
async def profiles(user: cl.User | None, language: str | None) -> list[cl.ChatProfile]:
    default = None
    if isinstance(user, cl.PersistedUser):
        farm = await get_farm_context(data_layer().engine, user.id)
        default = farm.expertise_areas[0] if farm and farm.expertise_areas else None
    return chat_profiles(ui_language(language), default)


@cl.on_shared_thread_view
async def shared_thread_view(thread: ThreadDict, viewer: cl.User | None) -> bool:
    # Only a thread its owner shared is shown to others: Chainlit checks the
    # thread's is_shared flag itself when this answers False.
    return False


@cl.on_chat_start
async def start_chat() -> None:
    layer = data_layer()
    user = await signed_in_user(layer)
    state = await CHATS.open(layer, user, cl.user_session.get("chat_profile"))
    # The greeting first: listing the models for the settings can take a
    # few seconds when a model server is slow to answer.
    await welcome(state)
    await send_settings(state)


@cl.on_chat_resume
async def resume_chat(thread: ThreadDict) -> None:
    layer = data_layer()
    user = await signed_in_user(layer)
    profile = (thread.get("metadata") or {}).get("chat_profile")
    state = await CHATS.open(
        layer, user, profile or context.session.chat_profile, thread.get("steps") or []
    )
    await send_settings(state)


@cl.on_settings_update
async def update_settings(settings: dict[str, Any]) -> None:
    layer = data_layer()
    state = await CHATS.current(layer)
    state.preferences = state.preferences.updated(settings)
    await save_preferences(layer, await signed_in_user(layer), state.preferences)


@cl.on_message
async def answer(message: cl.Message) -> None:
    layer = data_layer()
    user = await signed_in_user(layer)
    state = await CHATS.current(layer, skip_step_id=message.id)
    model = CHATS.usable_model(state.preferences)
    await tag_thread(layer, user, state, model)

    language = state.preferences.language
    question = question_with_attachments(
        message.content, attachment_note(message.elements, language)
    )
    reply = await stream_answer(
        CHATS.models.client_for(model),
        model,
        state.model_messages(question),
        language,
    )

    # The turns mirror what a resumed thread rebuilds from the stored steps:
    # every question, and only the answers that are not error notices.
    state.turns.append(Turn("user", message.content))
    if not reply.is_error:
        state.turns.append(Turn("assistant", reply.content))


@cl.on_chat_end
async def end_chat() -> None:
    CHATS.forget()


@cl.on_app_shutdown
async def shut_down() -> None:
    await CHATS.models.aclose()


async def send_settings(state: ChatState) -> None:
    models = await CHATS.models.available_choices()
    await cl.ChatSettings(settings_widgets(state.preferences, models)).send()


async def welcome(state: ChatState) -> None:
    farm = state.farm
    language = state.preferences.language
    content = text(
        "welcome",
        language,
        name=farm.persona.full_name,
        farm=farm.farm.name if farm.farm else farm.persona.region,
        region=farm.persona.region,
        area=format_area(
            farm.farm.area_hectares if farm.farm else None,
            state.preferences.units,
        ),
    )
    await cl.Message(content=content, metadata={KIND_KEY: WELCOME_KIND}).send()
