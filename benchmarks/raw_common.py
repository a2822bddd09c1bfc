"""What both raw-SQL implementations share: the SQL text and the dicts.

The raw implementations are the floor: hand-written SQL on the driver,
returning what Yonca's data layer returns for the same call (the same
threads in the same order, the same step dicts, the same signed element
URLs) and nothing more. They read and write the Yonca schema, keep
Chainlit's keys without a column in the step's metadata under the same
reserved key, and store feedback as 1/-1.

Writes assume the thread already exists, as every write the benchmark makes
does; that is the one shortcut the floor takes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chainlit.data.storage_clients.base import BaseStorageClient
from chainlit.types import PageInfo, PaginatedResponse, Pagination, ThreadFilter

from yonca.datalayer.values import OVERFLOW_KEY

THREAD_COLUMNS = (
    "id",
    "createdAt",
    "name",
    "userId",
    "userIdentifier",
    "tags",
    "metadata",
)
STEP_COLUMNS = (
    "id",
    "name",
    "type",
    "threadId",
    "parentId",
    "streaming",
    "waitForAnswer",
    "isError",
    "metadata",
    "tags",
    "input",
    "output",
    "createdAt",
    "start",
    "end",
    "generation",
    "showInput",
    "language",
    "defaultOpen",
)
ELEMENT_COLUMNS = (
    "id",
    "threadId",
    "type",
    "chainlitKey",
    "url",
    "objectKey",
    "name",
    "display",
    "size",
    "language",
    "page",
    "autoPlay",
    "playerConfig",
    "forId",
    "mime",
    "props",
)
STEP_JSON = ("tags", "generation")
STEP_FLAGS = ("streaming", "waitForAnswer", "isError", "defaultOpen")
# Keys Chainlit puts on a step dict that are read from other tables.
STEP_DERIVED = frozenset({"feedback"})
CURSOR_SEPARATOR = "~"
STORED_THUMBS_DOWN = (-1, 0)


def quoted(columns: Sequence[str], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{column}"' for column in columns)


@dataclass(frozen=True)
class SidebarRequest:
    """One sidebar page as Chainlit asks for it, cursor already parsed."""

    user_id: str
    limit: int
    after: tuple[str, str] | None
    search_pattern: str | None
    thumbs_down: bool

    @classmethod
    def from_chainlit(
        cls, pagination: Pagination, filters: ThreadFilter
    ) -> SidebarRequest:
        after = None
        if pagination.cursor:
            moment, _, thread_id = pagination.cursor.partition(CURSOR_SEPARATOR)
            after = (moment, thread_id)
        pattern = None
        if filters.search:
            escaped = (
                filters.search.replace("\\", "\\\\")
                .replace("%", "\\%")
                .replace("_", "\\_")
            )
            pattern = f"%{escaped.casefold()}%"
        return cls(
            user_id=filters.userId or "",
            limit=pagination.first + 1,
            after=after,
            search_pattern=pattern,
            thumbs_down=filters.feedback == 0,
        )


def sidebar_sql(
    request: SidebarRequest, placeholder: Any, fold: str
) -> tuple[str, list[Any]]:
    """Build the sidebar query; ``placeholder(n)`` renders the n-th parameter."""
    parameters: list[Any] = [request.user_id]
    conditions = [f"a.user_id = {placeholder(1)}"]
    if request.after:
        parameters += list(request.after)
        first, second = placeholder(len(parameters) - 1), placeholder(len(parameters))
        conditions.append(f"(a.last_activity_at, a.thread_id) < ({first}, {second})")
    if request.search_pattern:
        parameters.append(request.search_pattern)
        mark = placeholder(len(parameters))
        conditions.append(
            f"({fold}(t.name) LIKE {mark} ESCAPE '\\' OR EXISTS (SELECT 1 FROM steps s "
            f'WHERE s."threadId" = t.id AND {fold}(s.output) LIKE {mark} '
            "ESCAPE '\\'))"
        )
    if request.thumbs_down:
        conditions.append(
            'EXISTS (SELECT 1 FROM steps s JOIN feedbacks f ON f."forId" = s.id '
            'WHERE s."threadId" = t.id AND f.value IN (-1, 0))'
        )
    parameters.append(request.limit)
    sql = (
        f"SELECT {quoted(THREAD_COLUMNS, 't.')}, a.last_activity_at "
        "FROM thread_activity a JOIN threads t ON t.id = a.thread_id "
        f"WHERE {' AND '.join(conditions)} "
        "ORDER BY a.last_activity_at DESC, a.thread_id DESC "
        f"LIMIT {placeholder(len(parameters))}"
    )
    return sql, parameters


THREAD_SQL = f"SELECT {quoted(THREAD_COLUMNS)} FROM threads WHERE id = {{0}}"
STEPS_SQL = (
    f"SELECT {quoted(STEP_COLUMNS, 's.')}, f.id AS feedback_id, "
    "f.value AS feedback_value, f.comment AS feedback_comment "
    'FROM steps s LEFT JOIN feedbacks f ON f."forId" = s.id '
    'WHERE s."threadId" = {0} ORDER BY s."createdAt", s.start, s.id'
)
ELEMENTS_SQL = (
    f'SELECT {quoted(ELEMENT_COLUMNS)} FROM elements WHERE "threadId" = {{0}}'
)


def load_json(text: Any) -> Any:
    if text is None or text == "":
        return None
    return json.loads(text) if isinstance(text, str) else text


def thread_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "createdAt": row["createdAt"],
        "name": row["name"],
        "userId": row["userId"],
        "userIdentifier": row["userIdentifier"],
        "tags": load_json(row["tags"]),
        "metadata": load_json(row["metadata"]) or {},
        "steps": [],
        "elements": [],
    }


def sidebar_page(rows: Sequence[Mapping[str, Any]], limit: int) -> PaginatedResponse:
    page = rows[: limit - 1]
    end_cursor = None
    if page:
        last = page[-1]
        end_cursor = f"{last['last_activity_at']}{CURSOR_SEPARATOR}{last['id']}"
    return PaginatedResponse(
        pageInfo=PageInfo(
            hasNextPage=len(rows) >= limit,
            startCursor=page[0]["id"] if page else None,
            endCursor=end_cursor,
        ),
        data=[thread_dict(row) for row in page],
    )


def step_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    metadata = load_json(row["metadata"]) or {}
    overflow = metadata.pop(OVERFLOW_KEY, None) or {}
    show_input = row["showInput"]
    step = {
        "id": row["id"],
        "threadId": row["threadId"],
        "parentId": row["parentId"],
        "name": row["name"],
        "type": row["type"],
        "streaming": bool(row["streaming"]),
        "waitForAnswer": _flag(row["waitForAnswer"]),
        "isError": _flag(row["isError"]),
        "metadata": metadata,
        "tags": load_json(row["tags"]),
        "input": row["input"],
        "output": row["output"],
        "createdAt": row["createdAt"],
        "start": row["start"],
        "end": row["end"],
        "generation": load_json(row["generation"]),
        "showInput": {"true": True, "false": False}.get(show_input, show_input),
        "language": row["language"],
        "defaultOpen": _flag(row["defaultOpen"]),
    }
    step.update(overflow)
    if row["feedback_value"] is not None:
        step["feedback"] = {
            "forId": row["id"],
            "id": row["feedback_id"],
            "value": 1 if row["feedback_value"] > 0 else 0,
            "comment": row["feedback_comment"],
        }
    return step


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


async def element_dict(
    row: Mapping[str, Any], storage: BaseStorageClient | None
) -> dict[str, Any]:
    element = {column: row[column] for column in ELEMENT_COLUMNS}
    element["props"] = load_json(row["props"]) or {}
    element["playerConfig"] = load_json(row["playerConfig"])
    element["autoPlay"] = _flag(row["autoPlay"])
    if storage is not None and row["objectKey"]:
        element["url"] = await storage.get_read_url(row["objectKey"])
    return element


async def thread_with_children(
    thread_row: Mapping[str, Any] | None,
    step_rows: Sequence[Mapping[str, Any]],
    element_rows: Sequence[Mapping[str, Any]],
    storage: BaseStorageClient | None,
) -> dict[str, Any] | None:
    if thread_row is None:
        return None
    thread = thread_dict(thread_row)
    thread["steps"] = [step_dict(row) for row in step_rows]
    thread["elements"] = [await element_dict(row, storage) for row in element_rows]
    return thread


def step_values(step: Mapping[str, Any]) -> dict[str, Any]:
    """Column values for the keys ``step`` carries; the rest go to metadata."""
    values: dict[str, Any] = {}
    overflow: dict[str, Any] = {}
    for key, value in step.items():
        if key in STEP_DERIVED:
            continue
        if key not in STEP_COLUMNS:
            overflow[key] = value
        elif key in STEP_JSON:
            values[key] = (
                None if value is None else json.dumps(value, ensure_ascii=False)
            )
        elif key in STEP_FLAGS:
            values[key] = None if value is None else bool(value)
        elif key == "showInput":
            values[key] = (
                None
                if value is None
                else (
                    "true"
                    if value is True
                    else "false"
                    if value is False
                    else str(value)
                )
            )
        elif key != "metadata":
            values[key] = value
    metadata = dict(step.get("metadata") or {})
    if overflow:
        metadata[OVERFLOW_KEY] = overflow
    values["metadata"] = json.dumps(metadata, ensure_ascii=False)
    return values


def stored_feedback(value: int) -> int:
    return 1 if value == 1 else -1
