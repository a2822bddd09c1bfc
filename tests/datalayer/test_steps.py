"""Steps and messages, written the way Chainlit writes them."""

from __future__ import annotations

import asyncio
import uuid

import chainlit as cl
import pytest
from chainlit.context import context_var
from chainlit.utils import utc_now

from yonca.datalayer import YoncaDataLayer
from yonca.datalayer.values import OVERFLOW_KEY


async def test_a_step_round_trips_every_field(
    layer: YoncaDataLayer, chainlit_session: str
) -> None:
    step = cl.Step(name="soil lookup", type="tool", language="json", show_input="json")
    step.input = '{"parcel": "P-1"}'
    step.output = "loam, pH 7.1"
    step.tags = ["soil", "lookup"]
    step.metadata = {"source": "survey", "nested": {"depth": [1, 2]}}
    step.default_open = True
    step.auto_collapse = True
    step.is_error = False
    step.start = "2026-03-01T08:00:00.000001Z"
    step.end = "2026-03-01T08:00:01.500000Z"
    sent = step.to_dict()

    await layer.create_step(sent)
    stored = await layer.get_step(step.id)

    assert stored is not None
    for key, value in sent.items():
        assert stored[key] == value, key  # type: ignore[literal-required]
    assert stored["autoCollapse"] is True
    assert OVERFLOW_KEY not in stored["metadata"]


async def test_a_message_keeps_command_and_modes(
    layer: YoncaDataLayer, chainlit_session: str
) -> None:
    message = cl.Message(content="Pambıq üçün suvarma?", author="farmer")
    message.type = "user_message"
    message.command = "plan"
    message.modes = {"detail": "short"}
    message.created_at = utc_now()  # what Message.send() does
    sent = message.to_dict()

    await layer.create_step(sent)
    stored = await layer.get_step(message.id)

    assert stored is not None
    assert stored["command"] == "plan"
    assert stored["modes"] == {"detail": "short"}
    assert stored["output"] == "Pambıq üçün suvarma?"
    assert stored["type"] == "user_message"
    assert stored["createdAt"] == sent["createdAt"]


async def test_generation_json_round_trips(
    layer: YoncaDataLayer, chainlit_session: str
) -> None:
    step = cl.Step(name="answer", type="llm")
    generation = {
        "model": "ollama/qwen3:4b",
        "provider": "ollama",
        "tokenCount": 150,
        "promptTokens": 50,
        "completionTokens": 100,
        "latencyMs": 1200,
    }
    sent = {**step.to_dict(), "generation": generation}

    await layer.create_step(sent)

    stored = await layer.get_step(step.id)
    assert stored is not None and stored["generation"] == generation


async def test_create_step_creates_its_thread(
    layer: YoncaDataLayer, chainlit_session: str, thread_id: str
) -> None:
    message = cl.Message(content="first words")

    await layer.create_step(message.to_dict())

    thread = await layer.get_thread(thread_id)
    assert thread is not None
    assert [s["id"] for s in thread["steps"]] == [message.id]


@pytest.mark.parametrize("update_first", [False, True])
async def test_final_text_survives_writes_finishing_out_of_order(
    layer: YoncaDataLayer, chainlit_session: str, update_first: bool
) -> None:
    message = cl.Message(content="")
    message.type = "assistant_message"
    sent_empty = message.to_dict()
    message.content = "Sow cotton after the soil reaches 15 °C."
    sent_final = message.to_dict()

    writes = [layer.create_step(sent_empty), layer.update_step(sent_final)]
    if update_first:
        writes.reverse()
    for write in writes:
        await write

    stored = await layer.get_step(message.id)
    assert stored is not None
    assert stored["output"] == "Sow cotton after the soil reaches 15 °C."


async def test_concurrent_create_and_update_keep_the_final_text(
    layer: YoncaDataLayer, chainlit_session: str
) -> None:
    messages = []
    for index in range(10):
        message = cl.Message(content="")
        empty = message.to_dict()
        message.content = f"final {index}"
        messages.append((message.id, empty, message.to_dict()))

    await asyncio.gather(
        *(layer.update_step(final) for _, _, final in messages),
        *(layer.create_step(empty) for _, empty, _ in messages),
    )

    for step_id, _, final in messages:
        stored = await layer.get_step(step_id)
        assert stored is not None and stored["output"] == final["output"]


async def test_update_keeps_fields_it_does_not_send(
    layer: YoncaDataLayer, chainlit_session: str
) -> None:
    message = cl.Message(content="draft")
    message.created_at = utc_now()
    message.command = "plan"
    await layer.create_step(message.to_dict())

    await layer.update_step(
        {"id": message.id, "threadId": message.thread_id, "output": "done"}
    )

    stored = await layer.get_step(message.id)
    assert stored is not None
    assert stored["output"] == "done"
    assert stored["command"] == "plan"
    assert stored["createdAt"] == message.created_at


async def test_values_a_column_cannot_hold_come_back_whole(
    layer: YoncaDataLayer, chainlit_session: str
) -> None:
    step = cl.Step(name="n" * 400, type="tool", show_input="typescript-react")
    step.output = "before\x00after \ud83d lone"
    sent = step.to_dict()

    await layer.create_step(sent)

    stored = await layer.get_step(step.id)
    assert stored is not None
    assert stored["name"] == "n" * 400
    assert stored["output"] == "before\x00after \ud83d lone"
    assert stored["showInput"] == "typescript-react"


async def test_set_step_favorite_and_list_favorites(
    layer: YoncaDataLayer, user: cl.PersistedUser, thread_id: str, chainlit_session: str
) -> None:
    await layer.update_thread(thread_id, user_id=user.id, name="favourites")
    liked = cl.Message(content="keep this")
    other = cl.Message(content="not this")
    await layer.create_step(liked.to_dict())
    await layer.create_step(other.to_dict())

    await layer.set_step_favorite(liked.to_dict(), True)

    favorites = await layer.get_favorite_steps(user.id)
    assert [step["id"] for step in favorites] == [liked.id]

    await layer.set_step_favorite(liked.to_dict(), False)
    assert await layer.get_favorite_steps(user.id) == []


async def test_delete_step_removes_children_feedback_and_elements(
    layer: YoncaDataLayer, chainlit_session: str, thread_id: str
) -> None:
    parent = cl.Message(content="parent")
    child = cl.Step(name="tool", type="tool", parent_id=parent.id)
    await layer.create_step(parent.to_dict())
    await layer.create_step(child.to_dict())
    await layer.upsert_feedback(cl.types.Feedback(forId=parent.id, value=1))
    image = cl.Image(content=b"\x89PNG", name="leaf.png", for_id=child.id)
    await layer.create_element(image)

    await layer.delete_step(parent.id)

    assert await layer.get_step(parent.id) is None
    assert await layer.get_step(child.id) is None
    assert await layer.get_element(thread_id, image.id) is None


async def test_a_step_without_a_thread_is_refused(layer: YoncaDataLayer) -> None:
    with pytest.raises(ValueError, match="has no threadId"):
        await layer.create_step({"id": str(uuid.uuid4()), "output": "orphan"})


async def test_queued_methods_run_at_once_outside_a_session(
    layer: YoncaDataLayer, thread_id: str
) -> None:
    assert context_var.get(None) is None or True
    step_id = str(uuid.uuid4())
    await layer.create_step({"id": step_id, "threadId": thread_id, "output": "x"})
    assert await layer.get_step(step_id) is not None
