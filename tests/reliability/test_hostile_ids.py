"""Ids that are too long, or made of quotes, SQL and path segments.

Ids reach the layer from the browser (thread ids in URLs and socket auth,
message ids the client makes up), so they are attacker's text. An id the
contract's ``VARCHAR(36)`` cannot hold is refused before anything is
written; any other id is only data: it cannot change a query, and an element
id cannot steer a file outside the storage directory.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import chainlit as cl
import pytest
from chainlit.context import init_http_context
from chainlit.types import Feedback
from sqlalchemy import text

from tests.reliability.conftest import new_user
from tests.reliability.recording import RecordingDataLayer
from yonca.errors import InvalidInputError, StorageError

SQL_IDS = [
    "'; DROP TABLE steps; --",
    'x"); DELETE FROM threads; --',
    "1' OR '1'='1",
    "%_\\",
    "Lənkəran/../..",
]
TOO_LONG = "a" * 37
UNREADABLE_IDS = ["a" * 100, "a\x00b", "\ud800", "", "../../etc/passwd"]


async def row_count(layer: RecordingDataLayer, table: str) -> int:
    async with layer.engine.connect() as connection:
        return int(await connection.scalar(text(f"SELECT count(*) FROM {table}")))


@pytest.mark.parametrize("hostile", SQL_IDS)
async def test_ids_made_of_sql_are_stored_as_text(
    layer: RecordingDataLayer, hostile: str
) -> None:
    user = await new_user(layer)
    init_http_context(thread_id=hostile)
    await layer.update_thread(hostile, name="hostile", user_id=user.id)
    step = {"id": hostile, "threadId": hostile, "output": "kept", "type": "run"}
    await layer.create_step(step)
    await layer.upsert_feedback(Feedback(forId=hostile, value=1, id=hostile))
    steps_before = await row_count(layer, "steps")

    thread = await layer.get_thread(hostile)
    assert thread is not None and thread["userId"] == user.id
    assert [s["id"] for s in thread["steps"]] == [hostile]
    assert thread["steps"][0]["feedback"]["id"] == hostile
    assert await layer.get_thread_author(hostile) == user.identifier
    assert await row_count(layer, "steps") == steps_before

    await layer.delete_thread(hostile)
    assert await layer.get_thread(hostile) is None
    assert await row_count(layer, "steps") == steps_before - 1


@pytest.mark.parametrize("hostile", SQL_IDS)
async def test_an_element_id_cannot_steer_its_file_out_of_storage(
    layer: RecordingDataLayer, files_dir: Path, tmp_path: Path, hostile: str
) -> None:
    thread_id = str(uuid.uuid4())
    init_http_context(thread_id=thread_id)
    image = cl.Image(content=b"\x89PNG", name="../../leaf.png", id=hostile)
    before = {p for p in tmp_path.rglob("*") if p.is_file()}

    try:
        await layer.create_element(image)
    except (InvalidInputError, StorageError) as refused:
        assert "object key" in str(refused) or "id" in str(refused)
        assert await layer.get_element(thread_id, hostile) is None
    else:
        stored = await layer.get_element(thread_id, hostile)
        assert stored is not None and stored["id"] == hostile
    written = {p for p in tmp_path.rglob("*") if p.is_file()} - before
    assert all(p.resolve().is_relative_to(files_dir.resolve()) for p in written)


async def test_ids_longer_than_the_contract_holds_are_refused_before_writing(
    layer: RecordingDataLayer,
) -> None:
    thread_id = str(uuid.uuid4())
    init_http_context(thread_id=thread_id)
    steps_before = await row_count(layer, "steps")

    with pytest.raises(InvalidInputError, match="36"):
        await layer.update_thread(TOO_LONG, name="too long")
    with pytest.raises(InvalidInputError, match="36"):
        await layer.create_step({"id": TOO_LONG, "threadId": thread_id, "output": ""})
    with pytest.raises(InvalidInputError, match="36"):
        await layer.create_step(
            {"id": str(uuid.uuid4()), "threadId": TOO_LONG, "output": ""}
        )
    with pytest.raises(InvalidInputError, match="36"):
        await layer.create_element(cl.Image(content=b"png", name="a", id=TOO_LONG))
    with pytest.raises(InvalidInputError, match="36"):
        await layer.upsert_feedback(Feedback(forId=TOO_LONG, value=1))

    assert await row_count(layer, "steps") == steps_before
    assert await layer.get_thread(thread_id) is None


@pytest.mark.parametrize("hostile", UNREADABLE_IDS)
async def test_lookups_of_ids_that_cannot_exist_find_nothing(
    layer: RecordingDataLayer,
    hostile: str,
    dialect: str,
) -> None:

    assert await layer.get_thread(hostile) is None
    assert not await layer.get_thread_author(hostile)
    assert await layer.get_step(hostile) is None
    assert await layer.get_element(hostile, hostile) is None
    assert await layer.can_read_thread(hostile, "farmer@yonca.az") is False
    assert await layer.get_step_author(hostile) is None
    assert await layer.get_feedback_author(hostile) is None
    assert await layer.delete_feedback(hostile) is False
