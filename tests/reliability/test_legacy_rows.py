"""Rows written by older code or by hand: read without failing, never lost.

Yonca's database may hold rows from Chainlit's stock layer, earlier Yonca
versions or a hand-made fix: JSON columns that are not JSON, 👎 stored as 0,
threads that never got a name because the first message was only an image.
The old rows are inserted with raw SQL into a database at the contract's
first revision, as such code would have left them, and the database is then
upgraded the way an operator would, with the migrations.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import chainlit as cl
import pytest
from chainlit.context import init_http_context
from chainlit.types import Feedback, Pagination, ThreadFilter
from sqlalchemy import text

from tests.reliability.conftest import LayerFactory, new_user
from tests.reliability.recording import RecordingDataLayer
from yonca import migrations
from yonca.database import create_engine
from yonca.datalayer.values import UNREADABLE_KEY

FIRST_REVISION = "0001_chainlit_contract"


@dataclass
class OldRows:
    """Ids of what the old code wrote, and a layer on the upgraded database."""

    layer: RecordingDataLayer
    user_id: str
    identifier: str
    thread_id: str
    step_id: str
    element_id: str
    feedback_id: str
    old_metadata: str


OLD_THREAD = [
    'INSERT INTO users (id, identifier, "createdAt", metadata) VALUES '
    "(:user_id, :identifier, '2024-05-01T10:00:00Z', :user_metadata)",
    'INSERT INTO threads (id, "createdAt", name, "userId", "userIdentifier", '
    "tags, metadata) VALUES (:thread_id, '2024-05-01T10:00:00Z', 'old', "
    ":user_id, :identifier, :tags, :metadata)",
    'INSERT INTO steps (id, "threadId", type, output, metadata, tags, generation, '
    "\"createdAt\", streaming) VALUES (:step_id, :thread_id, 'assistant_message', "
    "'old answer', 'not json', '[broken', '{', '2024-05-01T10:00:01Z', false)",
    'INSERT INTO elements (id, "threadId", type, url, name, display, props, '
    "\"playerConfig\") VALUES (:element_id, :thread_id, 'image', "
    "'https://example.org/old.png', 'old.png', 'inline', '{{', 'bad')",
    'INSERT INTO feedbacks (id, "forId", "threadId", value, comment) VALUES '
    "(:feedback_id, :step_id, :thread_id, 0, 'old 👎')",
]


async def write_as_old_code(url: str, values: dict[str, Any]) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in OLD_THREAD:
                await connection.execute(text(statement), values)
    finally:
        await engine.dispose()


# What old code left in the JSON columns of the thread: broken JSON, JSON of
# the wrong kind, and empty strings.
OLD_JSON = [("{not json", "[broken"), ("[1, 2]", '"cotton"'), ("", "")]


@pytest.fixture(
    params=[
        pytest.param((dialect, *columns), id=f"{dialect}-{columns[0] or 'empty'}")
        for dialect in ("sqlite", "postgresql")
        for columns in OLD_JSON
    ]
)
async def old_rows(
    request: pytest.FixtureRequest,
    make_database: Callable[..., str],
    make_layer: LayerFactory,
) -> OldRows:
    dialect, metadata, tags = request.param
    url = make_database(dialect, migrate=False)
    await asyncio.to_thread(migrations.upgrade, url, FIRST_REVISION)
    ids = {name: str(uuid.uuid4()) for name in OLD_ID_NAMES}
    identifier = f"old-{uuid.uuid4().hex[:8]}@yonca.az"
    await write_as_old_code(
        url,
        {
            **ids,
            "identifier": identifier,
            "metadata": metadata,
            "tags": tags,
            "user_metadata": "garbage",
        },
    )
    await asyncio.to_thread(migrations.upgrade, url)
    layer = await make_layer(url)
    return OldRows(layer, identifier=identifier, old_metadata=metadata, **ids)


OLD_ID_NAMES = ("user_id", "thread_id", "step_id", "element_id", "feedback_id")


async def test_json_columns_that_are_not_json_are_read_and_kept(
    old_rows: OldRows,
) -> None:
    layer = old_rows.layer

    thread = await layer.get_thread(old_rows.thread_id)
    assert thread is not None
    assert [s["output"] for s in thread["steps"]] == ["old answer"]
    assert [e["id"] for e in thread["elements"] or []] == [old_rows.element_id]
    assert await layer.get_step(old_rows.step_id) is not None
    assert await layer.get_element(old_rows.thread_id, old_rows.element_id)
    page = await layer.list_threads(
        Pagination(first=5), ThreadFilter(userId=old_rows.user_id)
    )
    assert [t["id"] for t in page.data] == [old_rows.thread_id]

    await layer.update_thread(old_rows.thread_id, metadata={"language": "az"})
    merged = await layer.get_thread(old_rows.thread_id)
    assert merged is not None and merged["metadata"]["language"] == "az"
    if old_rows.old_metadata:
        # What could not be read is written back as it was, not dropped.
        assert merged["metadata"][UNREADABLE_KEY] == old_rows.old_metadata


async def test_user_metadata_that_is_not_json_survives_sign_in(
    old_rows: OldRows,
) -> None:
    layer = old_rows.layer

    assert await layer.get_user(old_rows.identifier) is not None
    signed_in = await layer.create_user(
        cl.User(identifier=old_rows.identifier, metadata={"provider": "credentials"})
    )

    assert signed_in is not None and signed_in.id == old_rows.user_id
    assert signed_in.metadata["provider"] == "credentials"
    assert signed_in.metadata[UNREADABLE_KEY] == "garbage"


async def test_old_thumbs_down_stored_as_zero_reads_filters_and_updates(
    old_rows: OldRows,
) -> None:
    layer, step_id = old_rows.layer, old_rows.step_id

    stored = await layer.get_step(step_id)
    assert stored is not None
    assert stored["feedback"] == {
        "forId": step_id,
        "id": old_rows.feedback_id,
        "value": 0,
        "comment": "old 👎",
    }
    for value, expected in ((0, [old_rows.thread_id]), (1, [])):
        page = await layer.list_threads(
            Pagination(first=5), ThreadFilter(userId=old_rows.user_id, feedback=value)
        )
        assert [t["id"] for t in page.data] == expected

    assert await layer.upsert_feedback(Feedback(forId=step_id, value=1)) == (
        old_rows.feedback_id
    )
    async with layer.engine.connect() as connection:
        rows = (
            await connection.execute(
                text('SELECT id, value FROM feedbacks WHERE "forId" = :step'),
                {"step": step_id},
            )
        ).all()
    assert [tuple(row) for row in rows] == [(old_rows.feedback_id, 1)]


async def test_a_thread_started_with_only_an_image_is_listed_and_opened(
    layer: RecordingDataLayer,
) -> None:
    user = await new_user(layer)
    thread_id = str(uuid.uuid4())
    init_http_context(thread_id=thread_id, user=user)
    # What Chainlit does for a first message without text: the thread is
    # named after the empty interaction, the message holds only the image.
    asked = cl.Message(content="", author=user.identifier)
    asked.type = "user_message"
    await layer.create_step(asked.to_dict())
    await layer.update_thread(thread_id, name="", user_id=user.id, tags=["cotton"])
    image = cl.Image(content=b"\x89PNG\r\n", name="leaf.png", for_id=asked.id)
    await layer.create_element(image)
    unnamed_id = str(uuid.uuid4())
    await layer.update_thread(unnamed_id, user_id=user.id)

    page = await layer.list_threads(Pagination(first=5), ThreadFilter(userId=user.id))
    assert {t["id"]: t["name"] for t in page.data} == {thread_id: "", unnamed_id: None}
    searched = await layer.list_threads(
        Pagination(first=5), ThreadFilter(userId=user.id, search="leaf")
    )
    assert searched.data == []
    thread = await layer.get_thread(thread_id)
    assert thread is not None
    assert [s["output"] for s in thread["steps"]] == [""]
    assert [e["id"] for e in thread["elements"] or []] == [image.id]
