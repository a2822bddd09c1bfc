"""A step id names one step of one thread, whoever sends it.

Message ids are made by the browser (Chainlit only checks that they are
UUIDs), so a client can send a message whose id is a step of somebody
else's thread; a shared thread shows its ids to every reader. The write
that follows must not move that step into the sender's thread or replace
its text.
"""

from __future__ import annotations

import contextlib
import uuid

import chainlit as cl
import pytest
from chainlit.context import init_http_context

from tests.reliability.conftest import new_user
from tests.reliability.recording import RecordingDataLayer
from yonca.errors import OwnershipError


async def owners_answer(layer: RecordingDataLayer) -> tuple[str, dict]:
    owner = await new_user(layer, "owner")
    thread_id = str(uuid.uuid4())
    init_http_context(thread_id=thread_id)
    await layer.update_thread(thread_id, name="owner's", user_id=owner.id)
    answer = cl.Message(content="the owner's private answer")
    await layer.create_step(answer.to_dict())
    stored = await layer.get_step(answer.id)
    assert stored is not None
    return thread_id, dict(stored)


async def intruders_thread(layer: RecordingDataLayer) -> str:
    intruder = await new_user(layer, "intruder")
    thread_id = str(uuid.uuid4())
    init_http_context(thread_id=thread_id)
    await layer.update_thread(thread_id, name="intruder's", user_id=intruder.id)
    return thread_id


async def test_creating_a_message_with_anothers_step_id_is_refused(
    layer: RecordingDataLayer,
) -> None:
    _, answer = await owners_answer(layer)
    intruder_thread = await intruders_thread(layer)

    with pytest.raises(OwnershipError, match="belongs to another thread"):
        await layer.create_step(
            {"id": answer["id"], "threadId": intruder_thread, "output": "hijacked"}
        )

    assert await layer.get_step(answer["id"]) == answer
    intruder_view = await layer.get_thread(intruder_thread)
    assert intruder_view is not None and intruder_view["steps"] == []


async def test_updating_anothers_step_id_is_refused_or_changes_nothing(
    layer: RecordingDataLayer,
) -> None:
    owner_thread, answer = await owners_answer(layer)
    intruder_thread = await intruders_thread(layer)
    edited = {"id": answer["id"], "threadId": intruder_thread, "output": "hijacked"}

    with contextlib.suppress(OwnershipError):
        await layer.update_step(edited)

    assert await layer.get_step(answer["id"]) == answer
    owner_view = await layer.get_thread(owner_thread)
    assert owner_view is not None
    assert [s["id"] for s in owner_view["steps"]] == [answer["id"]]


async def test_favouriting_anothers_step_id_is_refused_or_changes_nothing(
    layer: RecordingDataLayer,
) -> None:
    _, answer = await owners_answer(layer)
    intruder_thread = await intruders_thread(layer)

    with contextlib.suppress(OwnershipError):
        await layer.set_step_favorite(
            {"id": answer["id"], "threadId": intruder_thread, "output": "mine"},
            True,
        )

    assert await layer.get_step(answer["id"]) == answer
