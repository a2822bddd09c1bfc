"""Odd and hostile values: stored and read back intact, or refused clearly.

PostgreSQL refuses NUL in text and UTF-8 has no lone surrogates, yet both
reach Chainlit from pasted text and broken clients; huge answers, thousands
of tags and deep documents come from models and tools. Whatever the layer
cannot keep exactly it must refuse with ``InvalidInputError`` before writing
anything, never fail half-way or come back altered.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

import chainlit as cl
import pytest
from chainlit.context import init_http_context
from chainlit.types import Feedback, Pagination, ThreadFilter
from chainlit.user import User

from tests.reliability.conftest import new_user
from tests.reliability.recording import RecordingDataLayer
from yonca.errors import InvalidInputError

ODD_TEXTS = [
    "before\x00after",
    "\x00",
    "lone \ud800 high",
    "lone \udfff low",
    "mixed \x00\udc80 end",
    "Lənkəran 🌾 مزرعه\u200f",
]
TEN_MEGABYTES = 10 * 1024 * 1024


def nested(depth: int) -> dict[str, Any]:
    document: dict[str, Any] = {"leaf": "ə"}
    for level in range(depth):
        document = {f"level{level}": document}
    return document


@pytest.fixture
async def thread_id() -> str:
    thread = str(uuid.uuid4())
    init_http_context(thread_id=thread)
    return thread


@pytest.mark.parametrize("odd", ODD_TEXTS)
async def test_odd_text_round_trips_through_every_text_field(
    layer: RecordingDataLayer, thread_id: str, odd: str
) -> None:
    user = await new_user(layer)
    await layer.update_thread(
        thread_id,
        name=odd,
        user_id=user.id,
        metadata={odd: odd, "nested": [odd, {"deep": odd}]},
        tags=[odd, "plain"],
    )
    step = cl.Step(name=odd, type="tool", language=odd)
    step.input = odd
    step.output = odd
    step.tags = [odd]
    step.metadata = {odd: odd}
    sent = {**step.to_dict(), "generation": {"prompt": odd}}
    await layer.create_step(sent)
    element = cl.Text(content="plain", name=odd, language=odd)
    element.for_id = step.id
    await layer.create_element(element)

    thread = await layer.get_thread(thread_id)
    assert thread is not None
    assert thread["name"] == odd
    assert thread["metadata"] == {odd: odd, "nested": [odd, {"deep": odd}]}
    assert thread["tags"] == [odd, "plain"]
    (stored,) = thread["steps"]
    for key in ("name", "input", "output", "language", "tags", "metadata"):
        assert stored[key] == sent[key], key  # type: ignore[literal-required]
    assert stored["generation"] == {"prompt": odd}
    (stored_element,) = thread["elements"] or []
    assert (stored_element["name"], stored_element["language"]) == (odd, odd)


async def test_a_text_element_with_a_lone_surrogate_is_kept_or_refused_as_input(
    layer: RecordingDataLayer, thread_id: str
) -> None:
    element = cl.Text(content="model said \ud83d", name="answer.txt")

    try:
        await layer.create_element(element)
    except InvalidInputError:
        assert await layer.get_element(thread_id, element.id) is None
        return
    stored = await layer.get_element(thread_id, element.id)
    assert stored is not None
    signed = layer.storage_provider.open_token(stored["url"].split("/")[-1])
    assert signed.path.read_bytes().startswith(b"model said ")


@pytest.mark.parametrize("odd", ODD_TEXTS)
async def test_odd_text_in_sidebar_search_finds_or_misses_without_failing(
    layer: RecordingDataLayer,
    thread_id: str,
    odd: str,
    dialect: str,
) -> None:
    user = await new_user(layer)
    await layer.update_thread(thread_id, name=f"about {odd}", user_id=user.id)

    try:
        page = await layer.list_threads(
            Pagination(first=5), ThreadFilter(userId=user.id, search=odd)
        )
    except InvalidInputError as refused:
        assert "search" in str(refused)
    else:
        assert [t["id"] for t in page.data] in ([], [thread_id])


async def test_odd_user_metadata_round_trips(layer: RecordingDataLayer) -> None:
    identifier = f"odd-{uuid.uuid4().hex[:8]}@yonca.az"
    metadata = {"note": ODD_TEXTS[0], "lone": ODD_TEXTS[2]}
    await layer.create_user(User(identifier=identifier, metadata=metadata))

    stored = await layer.get_user(identifier)
    assert stored is not None and stored.metadata == metadata


@pytest.mark.parametrize("odd", ["nul\x00@yonca.az", "\ud800@yonca.az"])
async def test_an_identifier_the_database_cannot_hold_is_refused(
    layer: RecordingDataLayer, odd: str
) -> None:
    with pytest.raises(InvalidInputError, match="identifier"):
        await layer.create_user(User(identifier=odd))


async def test_a_feedback_comment_with_a_nul_byte_is_refused_before_writing(
    layer: RecordingDataLayer, thread_id: str
) -> None:
    answer = cl.Message(content="answer")
    await layer.create_step(answer.to_dict())

    with pytest.raises(InvalidInputError, match="NUL byte"):
        await layer.upsert_feedback(
            Feedback(forId=answer.id, value=0, comment="bad\x00comment")
        )

    stored = await layer.get_step(answer.id)
    assert stored is not None and stored.get("feedback") is None


async def test_ten_megabyte_outputs_and_files_round_trip(
    layer: RecordingDataLayer, thread_id: str
) -> None:
    first = ("Pambıq suvarması. " * (TEN_MEGABYTES // 18 + 1))[:TEN_MEGABYTES]
    final = ("ə" * TEN_MEGABYTES)[:TEN_MEGABYTES]
    answer = cl.Message(content=first)
    await layer.create_step(answer.to_dict())
    answer.content = final
    await layer.update_step(answer.to_dict())
    report = cl.File(content=final.encode() + b"\x00\xff", name="report.bin")
    await layer.create_element(report)

    stored = await layer.get_step(answer.id)
    assert stored is not None and stored["output"] == final
    thread = await layer.get_thread(thread_id)
    assert thread is not None
    (element,) = thread["elements"] or []
    signed = layer.storage_provider.open_token(element["url"].split("/")[-1])
    assert signed.path.read_bytes() == final.encode() + b"\x00\xff"


async def test_thousands_of_tags_round_trip(
    layer: RecordingDataLayer, thread_id: str
) -> None:
    tags = [f"tag-{number}-ə" for number in range(5000)]
    user = await new_user(layer)
    await layer.update_thread(thread_id, user_id=user.id, tags=tags)
    step = cl.Step(name="tagged", type="tool", tags=tags)
    await layer.create_step(step.to_dict())

    thread = await layer.get_thread(thread_id)
    assert thread is not None
    assert thread["tags"] == tags
    assert thread["steps"][0]["tags"] == tags
    page = await layer.list_threads(Pagination(first=5), ThreadFilter(userId=user.id))
    assert page.data[0]["tags"] == tags


async def test_deep_metadata_round_trips(
    layer: RecordingDataLayer, thread_id: str
) -> None:
    document = nested(150)
    await layer.update_thread(thread_id, metadata={"plan": document})
    step = cl.Step(name="deep", type="tool", metadata={"plan": document})
    await layer.create_step(step.to_dict())

    thread = await layer.get_thread(thread_id)
    assert thread is not None
    assert thread["metadata"] == {"plan": document}
    assert thread["steps"][0]["metadata"] == {"plan": document}


async def test_metadata_too_deep_to_read_back_is_refused_and_nothing_changes(
    layer: RecordingDataLayer, thread_id: str
) -> None:
    await layer.update_thread(thread_id, metadata={"kept": True})
    step = cl.Step(name="too deep", type="tool", metadata={"plan": nested(5000)})

    with pytest.raises(InvalidInputError, match="nested"):
        await layer.update_thread(thread_id, metadata={"plan": nested(5000)})
    with pytest.raises(InvalidInputError, match="nested"):
        await layer.create_step(step.to_dict())

    thread = await layer.get_thread(thread_id)
    assert thread is not None
    assert thread["metadata"] == {"kept": True}
    assert thread["steps"] == []


UNENCODABLE = [
    pytest.param(dt.datetime(2026, 3, 1, 8, 0), id="datetime"),
    pytest.param(dt.date(2026, 3, 1), id="date"),
    pytest.param(decimal.Decimal("12.50"), id="Decimal"),
    pytest.param(uuid.UUID(int=7), id="UUID"),
    pytest.param(b"\x89PNG", id="bytes"),
    pytest.param({"cotton", "wheat"}, id="set"),
    pytest.param(float("nan"), id="NaN"),
]


@pytest.mark.parametrize("value", UNENCODABLE)
async def test_values_json_cannot_hold_are_refused_and_nothing_is_written(
    layer: RecordingDataLayer, thread_id: str, value: Any
) -> None:
    await layer.update_thread(thread_id, metadata={"kept": True})
    step = cl.Step(name="odd value", type="tool", metadata={"farm": {"v": value}})
    sent = step.to_dict()

    with pytest.raises(InvalidInputError, match="farm"):
        await layer.update_thread(thread_id, metadata={"farm": {"v": value}})
    with pytest.raises(InvalidInputError, match="farm"):
        await layer.create_step(sent)
    with pytest.raises(InvalidInputError):
        await layer.create_step({**sent, "metadata": {}, "generation": {"v": value}})
    with pytest.raises(InvalidInputError):
        await layer.create_element(
            cl.Video(url="https://example.org/v.mp4", player_config={"farm": value})
        )
    with pytest.raises(InvalidInputError):
        await layer.create_user(
            User(identifier=f"{uuid.uuid4()}@yonca.az", metadata={"farm": value})
        )

    thread = await layer.get_thread(thread_id)
    assert thread is not None
    assert thread["metadata"] == {"kept": True}
    assert thread["steps"] == [] and thread["elements"] == []
