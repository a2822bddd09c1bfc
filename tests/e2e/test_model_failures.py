"""When the model server is down or lacks the model, the farmer reads what to
start or pull, the notice is stored as an error, and the chat goes on."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from sqlalchemy import select

from tests.e2e.assistant_server import RunningAssistant
from tests.e2e.chat_client import ChatClient
from tests.e2e.conftest import DOWN_SERVER, Farmer
from tests.fakes.model_server import ANSWER_MARKER, FakeModelServer
from yonca.contract import steps, threads, users
from yonca.database import create_engine


async def choose(client: ChatClient, **settings: str) -> None:
    """Change chat settings as the settings panel does, and wait until kept."""
    await client.socket.emit("chat_settings_change", settings)
    for _ in range(200):
        user = (await client.http.get("/user")).json()
        kept = user["metadata"].get("chat_settings") or {}
        if all(kept.get(key) == value for key, value in settings.items()):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the settings {settings} were not kept")


async def test_missing_model_and_server_down_are_explained_and_stored_as_errors(
    assistant: RunningAssistant,
    fake_model_server: FakeModelServer,
    make_farmer: Callable[[str], Farmer],
) -> None:
    farmer = make_farmer("failures")
    client = ChatClient(assistant.url)
    try:
        await client.sign_in(farmer.email, farmer.password)
        await client.connect(profile="wheat")
        await client.wait_for_welcome()

        await choose(client, model="ollama:llama-not-pulled:1b", language="en")
        missing = await client.ask("Which fertilizer for wheat?")
        await choose(client, model="openai:served-elsewhere")
        down = await client.ask("And for barley?")
        await choose(client, model="ollama:qwen3:4b")
        answered = await client.ask("Then just tell me about irrigation.")
    finally:
        await client.close()

    assert missing["isError"] is True
    assert "`ollama pull llama-not-pulled:1b`" in missing["output"]
    assert down["isError"] is True
    assert f"nothing answers at {DOWN_SERVER}/v1" in down["output"]
    assert not answered.get("isError")
    assert answered["output"].startswith(ANSWER_MARKER)

    # The model saw both questions, but never the error notices.
    request = next(
        r for r in fake_model_server.chat_requests if "just tell me" in str(r)
    )
    contents = [str(message["content"]) for message in request["messages"]]
    assert contents[1:] == [
        "Which fertilizer for wheat?",
        "And for barley?",
        "Then just tell me about irrigation.",
    ]
    assert "Always answer in English." in contents[0]

    engine = create_engine(assistant.database_url)
    try:
        async with engine.connect() as connection:
            stored = {
                row.id: row
                for row in await connection.execute(
                    select(steps).where(steps.c.threadId == client.thread_id)
                )
            }
            thread = (
                await connection.execute(
                    select(threads).where(threads.c.id == client.thread_id)
                )
            ).one()
            user = (
                await connection.execute(
                    select(users).where(users.c.identifier == farmer.email)
                )
            ).one()
    finally:
        await engine.dispose()

    assert stored[missing["id"]].isError is True
    assert (
        json.loads(stored[missing["id"]].generation)["model"] == "llama-not-pulled:1b"
    )
    assert json.loads(stored[down["id"]].generation)["provider"] == "openai"
    assert json.loads(stored[down["id"]].generation)["error"]
    assert not stored[answered["id"]].isError
    assert json.loads(thread.metadata)["active_model"] == {
        "provider": "ollama",
        "model": "qwen3:4b",
    }
    assert json.loads(user.metadata)["chat_settings"]["language"] == "en"
    assert json.loads(user.metadata)["chat_settings"]["model"] == "ollama:qwen3:4b"
