"""Property tests: whatever step, element or thread Chainlit can produce comes back.

The strategies follow Chainlit's ``StepDict`` and ``ElementDict`` field by
field, with text drawn from all of Unicode, NUL and lone surrogates
included, strings longer than their columns, and JSON of any shape. Each
example goes through the data layer on both databases and must come back
unchanged; timestamps come back as the same instant, written in the
contract's one format.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import chainlit as cl
from chainlit.context import init_http_context
from chainlit.types import Pagination, ThreadFilter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.conftest import new_user
from tests.reliability.recording import RecordingDataLayer

EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
STEP_TYPES = (
    "assistant_message",
    "user_message",
    "system_message",
    "run",
    "tool",
    "llm",
    "embedding",
    "retrieval",
    "rerank",
    "undefined",
)
TIMESTAMP_FIELDS = ("createdAt", "start", "end")

# Every code point, surrogates and NUL included.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=300)
short_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=20)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | short_text
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(short_text, children, max_size=4)
    ),
    max_leaves=12,
)
# Top-level keys set to None mean "delete" in Chainlit's metadata merges.
json_documents = st.dictionaries(
    short_text, json_values.filter(lambda v: v is not None)
)
ids = st.uuids(version=4).map(str)
timestamps = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)
).map(lambda moment: moment.isoformat() + "Z")  # what chainlit.utils.utc_now makes


@st.composite
def step_dicts(draw: st.DrawFn) -> dict[str, Any]:
    step: dict[str, Any] = {
        "id": draw(ids),
        "name": draw(any_text),
        "type": draw(st.sampled_from(STEP_TYPES)),
        "parentId": draw(st.none() | ids),
        "streaming": draw(st.booleans()),
        "waitForAnswer": draw(st.none() | st.booleans()),
        "isError": draw(st.none() | st.booleans()),
        "metadata": draw(json_documents),
        "tags": draw(st.none() | st.lists(any_text, max_size=5)),
        "input": draw(any_text),
        "output": draw(any_text),
        "createdAt": draw(st.none() | timestamps),
        "start": draw(st.none() | timestamps),
        "end": draw(st.none() | timestamps),
        "generation": draw(st.none() | json_documents),
        # "true" and "false" as strings read back as booleans; Chainlit only
        # sends them as booleans, and languages otherwise.
        "showInput": draw(
            st.none()
            | st.booleans()
            | any_text.filter(lambda t: t not in {"true", "false"})
        ),
        "defaultOpen": draw(st.none() | st.booleans()),
        "language": draw(st.none() | any_text),
    }
    optional = {
        "command": st.none() | short_text,
        "modes": st.none() | st.dictionaries(short_text, short_text, max_size=3),
        "autoCollapse": st.none() | st.booleans(),
        "icon": st.none() | short_text,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            step[key] = draw(strategy)
    return step


ELEMENT_CLASSES = {
    "image": cl.Image,
    "file": cl.File,
    "pdf": cl.Pdf,
    "audio": cl.Audio,
    "video": cl.Video,
    "text": cl.Text,
}
ELEMENT_FIELDS = {
    "image": {"size": st.sampled_from(["small", "medium", "large"])},
    "pdf": {"page": st.none() | st.integers(0, 2**31 - 1)},
    "audio": {"auto_play": st.booleans()},
    "video": {"player_config": st.none() | json_documents},
    "text": {"language": st.none() | short_text},
}


@st.composite
def element_fields(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """What a Chainlit element is made of: its class and constructor fields.

    The element itself is built inside the test, where Chainlit's context
    (which gives it its thread) exists. ``content`` of None means a URL only.
    """
    kind = draw(st.sampled_from(sorted(ELEMENT_CLASSES)))
    content = draw(st.none() | st.binary(min_size=1, max_size=2048))
    fields: dict[str, Any] = {
        "content": content,
        "url": draw(any_text.filter(bool)) if content is None else None,
        "name": draw(any_text),
        "display": draw(st.sampled_from(["inline", "side", "page"])),
        "for_id": draw(st.none() | ids),
        "chainlit_key": draw(st.none() | short_text),
    }
    mime = draw(st.none() | st.sampled_from(["image/png", "text/csv"]))
    if mime is not None:  # a PDF insists on a string; the others infer one
        fields["mime"] = mime
    for name, strategy in ELEMENT_FIELDS.get(kind, {}).items():
        fields[name] = draw(strategy)
    return kind, fields


def same_instant(sent: str | None, stored: str | None) -> bool:
    if sent is None or stored is None:
        return sent is stored

    def parse(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)

    return parse(sent) == parse(stored)


@EXAMPLES
@given(sent=step_dicts())
async def test_any_step_round_trips(layer: RecordingDataLayer, sent: dict[str, Any]):
    # Hypothesis replays its uuids across examples; the database keeps them.
    sent["id"], sent["threadId"] = str(uuid.uuid4()), str(uuid.uuid4())

    await layer.create_step(dict(sent))
    stored = await layer.get_step(sent["id"])

    assert stored is not None
    for key, value in sent.items():
        if key == "createdAt" and value is None:
            assert stored["createdAt"], "a step without createdAt gets one"
        elif key in TIMESTAMP_FIELDS:
            assert same_instant(value, stored.get(key)), key
        else:
            assert stored[key] == value, key  # type: ignore[literal-required]


@EXAMPLES
@given(sent=step_dicts(), final=any_text)
async def test_any_step_keeps_its_final_text_when_the_update_lands_first(
    layer: RecordingDataLayer, sent: dict[str, Any], final: str
):
    sent["id"], sent["threadId"] = str(uuid.uuid4()), str(uuid.uuid4())
    updated = {**sent, "output": final}

    await layer.update_step(dict(updated))
    await layer.create_step(dict(sent))
    stored = await layer.get_step(sent["id"])

    assert stored is not None and stored["output"] == final


@EXAMPLES
@given(drawn=element_fields())
async def test_any_element_round_trips(
    layer: RecordingDataLayer, drawn: tuple[str, dict[str, Any]]
):
    kind, fields = drawn
    init_http_context(thread_id=str(uuid.uuid4()))
    element = ELEMENT_CLASSES[kind](**fields)
    content = fields["content"]
    sent = element.to_dict()

    await layer.create_element(element)
    stored = await layer.get_element(element.thread_id, element.id)

    assert stored is not None
    for key, value in sent.items():
        if content is not None and key in ("url", "objectKey", "mime"):
            continue  # the bytes went to storage; a signed URL replaces them
        assert stored[key] == value, key  # type: ignore[literal-required]
    if content is not None:
        token = stored["url"].split("/")[-1]
        assert layer.storage_provider.open_token(token).path.read_bytes() == content


@EXAMPLES
@given(
    name=st.none() | any_text,
    metadata=json_documents,
    tags=st.none() | st.lists(any_text, max_size=8),
)
async def test_any_thread_round_trips(
    layer: RecordingDataLayer,
    name: str | None,
    metadata: dict[str, Any],
    tags: list[str] | None,
):
    user = await new_user(layer)
    thread_id = str(uuid.uuid4())
    init_http_context(thread_id=thread_id)

    await layer.update_thread(
        thread_id, name=name, user_id=user.id, metadata=metadata, tags=tags
    )
    stored = await layer.get_thread(thread_id)
    page = await layer.list_threads(Pagination(first=5), ThreadFilter(userId=user.id))

    assert stored is not None
    assert (stored["name"], stored["metadata"], stored["tags"]) == (
        name,
        metadata,
        tags,
    )
    assert (stored["userId"], stored["userIdentifier"]) == (user.id, user.identifier)
    assert [(t["id"], t["name"]) for t in page.data] == [(thread_id, name)]
