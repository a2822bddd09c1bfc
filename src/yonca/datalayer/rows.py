"""Chainlit's dictionaries to contract rows and back.

Each ``*_values`` function turns what Chainlit sends into column values,
keeping anything without a column (and any string a column cannot hold
verbatim) in the row's JSON under ``OVERFLOW_KEY``. Each ``*_from_row``
function reverses that, so that a round trip hands back what was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chainlit.element import ElementDict
from chainlit.step import StepDict
from chainlit.types import FeedbackDict, ThreadDict
from sqlalchemy import Row

from yonca.contract import elements, steps, threads
from yonca.datalayer.values import (
    OVERFLOW_KEY,
    dump_json,
    feedback_from_stored,
    fit_text,
    load_json_list,
    load_json_object,
    normalize_timestamp,
    optional_id,
    require_id,
)

STEP_TIMESTAMPS = ("createdAt", "start", "end")
STEP_FLAGS = ("streaming", "waitForAnswer", "isError", "defaultOpen")
STEP_TEXTS = ("name", "type", "input", "output", "language")
# Keys Chainlit sends on a step that are derived from other tables.
STEP_DERIVED = frozenset({"feedback"})
STEP_COLUMNS = frozenset(column.name for column in steps.columns)

ELEMENT_TEXTS = (
    "type",
    "chainlitKey",
    "url",
    "objectKey",
    "name",
    "display",
    "size",
    "language",
    "mime",
)
ELEMENT_COLUMNS = frozenset(column.name for column in elements.columns)
# A local path names a file on the machine that sent the element; it means
# nothing to a later reader, and the bytes go to the storage client instead.
ELEMENT_DROPPED = frozenset({"path", "content"})


def _length(table_column: Any) -> int | None:
    return getattr(table_column.type, "length", None)


def step_values(step: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a step dict into column values and the fields kept in metadata.

    Only keys present in ``step`` become column values, so that a partial
    update leaves the other columns as they are.
    """
    values: dict[str, Any] = {"id": require_id(step.get("id"), "step id")}
    overflow: dict[str, Any] = {}
    if "threadId" in step:
        values["threadId"] = require_id(step.get("threadId"), "step threadId")
    if "parentId" in step:
        values["parentId"] = optional_id(step.get("parentId"), "step parentId")
    for key in STEP_TIMESTAMPS:
        if key in step:
            values[key] = normalize_timestamp(step[key], f"step {key}")
    for key in STEP_FLAGS:
        if key in step:
            values[key] = None if step[key] is None else bool(step[key])
    for key in STEP_TEXTS:
        if key in step:
            values[key] = fit_text(step[key], _length(steps.c[key]), key, overflow)
    if "showInput" in step:
        values["showInput"] = fit_text(
            _show_input_text(step["showInput"]), 10, "showInput", overflow
        )
        if "showInput" in overflow:
            overflow["showInput"] = step["showInput"]
    if "tags" in step:
        values["tags"] = dump_json(step["tags"], "step tags")
    if "generation" in step:
        values["generation"] = dump_json(step["generation"], "step generation")

    for key, value in step.items():
        if key not in STEP_COLUMNS and key not in STEP_DERIVED:
            overflow[key] = value
    return values, overflow


def step_metadata_json(metadata: Any, overflow: Mapping[str, Any]) -> str | None:
    document = dict(metadata or {})
    document.pop(OVERFLOW_KEY, None)
    if overflow:
        document[OVERFLOW_KEY] = dict(overflow)
    return dump_json(document, "step metadata")


def _show_input_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _show_input_value(text: str | None) -> bool | str | None:
    if text == "true":
        return True
    if text == "false":
        return False
    return text


def split_overflow(text: Any, field: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A JSON column's document, and the fields kept in it under OVERFLOW_KEY."""
    document = load_json_object(text, field)
    return document, document.pop(OVERFLOW_KEY, None) or {}


def step_from_row(row: Row[Any] | Mapping[str, Any]) -> StepDict:
    data = row._mapping if isinstance(row, Row) else row
    metadata, overflow = split_overflow(data["metadata"], "steps.metadata")
    step: dict[str, Any] = {
        "id": data["id"],
        "threadId": data["threadId"],
        "parentId": data["parentId"],
        "name": data["name"],
        "type": data["type"],
        "streaming": bool(data["streaming"]),
        "waitForAnswer": data["waitForAnswer"],
        "isError": data["isError"],
        "metadata": metadata,
        "tags": load_json_list(data["tags"], "steps.tags"),
        "input": data["input"],
        "output": data["output"],
        "createdAt": data["createdAt"],
        "start": data["start"],
        "end": data["end"],
        "generation": _load_optional_object(data["generation"], "steps.generation"),
        "showInput": _show_input_value(data["showInput"]),
        "language": data["language"],
        "defaultOpen": data["defaultOpen"],
    }
    step.update(overflow)
    feedback_value = data.get("feedback_value")
    if feedback_value is not None:
        step["feedback"] = FeedbackDict(
            forId=data["id"],
            id=data["feedback_id"],
            value=feedback_from_stored(feedback_value),  # type: ignore[typeddict-item]
            comment=data["feedback_comment"],
        )
    return step  # type: ignore[return-value]


def _load_optional_object(text: Any, field: str) -> dict[str, Any] | None:
    if text is None:
        return None
    return load_json_object(text, field)


def element_values(element: Mapping[str, Any]) -> dict[str, Any]:
    """Column values for an element dict; fields without a column go in props."""
    overflow: dict[str, Any] = {}
    values: dict[str, Any] = {
        "id": require_id(element.get("id"), "element id"),
        "threadId": optional_id(element.get("threadId"), "element threadId"),
        "forId": optional_id(element.get("forId"), "element forId"),
    }
    for key in ELEMENT_TEXTS:
        values[key] = fit_text(
            element.get(key), _length(elements.c[key]), key, overflow
        )
    page = element.get("page")
    if page is not None and not isinstance(page, int):
        overflow["page"] = page
        page = None
    values["page"] = page
    auto_play = element.get("autoPlay")
    values["autoPlay"] = None if auto_play is None else bool(auto_play)
    values["playerConfig"] = dump_json(element.get("playerConfig"), "playerConfig")

    for key, value in element.items():
        if key not in ELEMENT_COLUMNS and key not in ELEMENT_DROPPED:
            overflow[key] = value
    props = element.get("props")
    if overflow:
        props = {**(props or {}), OVERFLOW_KEY: overflow}
    values["props"] = dump_json(props, "element props")
    return values


def element_from_row(row: Row[Any] | Mapping[str, Any]) -> ElementDict:
    data = row._mapping if isinstance(row, Row) else row
    props: dict[str, Any] | None = None
    overflow: dict[str, Any] = {}
    if data["props"] is not None:
        props = load_json_object(data["props"], "elements.props")
        overflow = props.pop(OVERFLOW_KEY, None) or {}
        if not props and overflow:
            props = None
    element: dict[str, Any] = {
        "id": data["id"],
        "threadId": data["threadId"],
        "type": data["type"],
        "chainlitKey": data["chainlitKey"],
        "url": data["url"],
        "objectKey": data["objectKey"],
        "name": data["name"],
        "display": data["display"],
        "size": data["size"],
        "language": data["language"],
        "page": data["page"],
        "props": props,
        "autoPlay": data["autoPlay"],
        "playerConfig": _load_optional_object(data["playerConfig"], "playerConfig"),
        "forId": data["forId"],
        "mime": data["mime"],
    }
    element.update(overflow)
    return element  # type: ignore[return-value]


def thread_from_row(
    row: Row[Any] | Mapping[str, Any],
    steps_: list[StepDict] | None = None,
    elements_: list[ElementDict] | None = None,
) -> ThreadDict:
    data = row._mapping if isinstance(row, Row) else row
    metadata, overflow = split_overflow(data["metadata"], "threads.metadata")
    thread: dict[str, Any] = {
        "id": data["id"],
        "createdAt": data["createdAt"],
        "name": data["name"],
        "userId": data["userId"],
        "userIdentifier": data["userIdentifier"],
        "tags": load_json_list(data["tags"], "threads.tags"),
        "metadata": metadata,
        "steps": steps_ if steps_ is not None else [],
        "elements": elements_ if elements_ is not None else [],
    }
    thread.update(overflow)
    return thread  # type: ignore[return-value]


def thread_name_value(name: Any, overflow: dict[str, Any]) -> str | None:
    return fit_text(name, _length(threads.c.name), "name", overflow)
