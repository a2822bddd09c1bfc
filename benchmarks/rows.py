"""Generated rows as each schema stores them.

The Yonca schema and the stock schema hold the same conversations in
different ways; these functions write what each data layer itself would have
written for them:

* Yonca: JSON as TEXT, feedback 1/-1, Chainlit's ``command`` and ``modes``
  kept in the step's metadata under the reserved key, element files under
  ``{thread_id}/{element_id}/{name}`` and read through signed URLs, and a
  ``thread_activity`` row per thread (its newest message's time);
* stock: JSON as JSONB on PostgreSQL, feedback as Chainlit's 1/0, an empty
  ``generation`` object on every step, element files under
  ``{user_id}/{element_id}/{name}`` with the URL stored beside them.
"""

from __future__ import annotations

import json
from typing import Any

from benchmarks.dataset import Chunk, ElementRow, StepRow, ThreadRow, UserRow
from yonca.datalayer.values import OVERFLOW_KEY

TableRows = dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]

STEP_COLUMNS = (
    "id",
    "name",
    "type",
    "threadId",
    "streaming",
    "waitForAnswer",
    "isError",
    "metadata",
    "output",
    "createdAt",
    "start",
    "end",
    "generation",
)
ELEMENT_COLUMNS = (
    "id",
    "threadId",
    "type",
    "url",
    "objectKey",
    "name",
    "display",
    "size",
    "forId",
    "mime",
    "props",
)
USER_COLUMNS = ("id", "identifier", "createdAt", "metadata")
THREAD_COLUMNS = ("id", "createdAt", "name", "userId", "userIdentifier", "metadata")
FEEDBACK_COLUMNS = ("id", "forId", "threadId", "value")
ACTIVITY_COLUMNS = ("thread_id", "user_id", "last_activity_at")

# What Yonca keeps in a message's metadata: the keys Chainlit's
# Message.to_dict() sends that have no column of their own.
YONCA_MESSAGE_METADATA = json.dumps({OVERFLOW_KEY: {"command": None, "modes": None}})
STOCK_FILES_PREFIX = "/bench-files"


def yonca_rows(chunk: Chunk) -> TableRows:
    """Return ``chunk`` as Yonca's data layer stores it, table by table."""
    return {
        "users": (USER_COLUMNS, [_user(user) for user in chunk.users]),
        "threads": (THREAD_COLUMNS, [_thread(thread) for thread in chunk.threads]),
        "steps": (
            STEP_COLUMNS,
            [_step(step, YONCA_MESSAGE_METADATA, None) for step in chunk.steps],
        ),
        "elements": (
            ELEMENT_COLUMNS,
            [
                _element(element, f"{element.thread_id}/{element.id}/{element.name}")
                for element in chunk.elements
            ],
        ),
        "feedbacks": (
            FEEDBACK_COLUMNS,
            [
                (f.id, f.for_id, f.thread_id, 1 if f.value else -1)
                for f in chunk.feedbacks
            ],
        ),
        "thread_activity": (ACTIVITY_COLUMNS, [tuple(a) for a in chunk.activities]),
    }


def stock_rows(chunk: Chunk) -> TableRows:
    """Return ``chunk`` as Chainlit's SQLAlchemyDataLayer stores it."""
    return {
        "users": (USER_COLUMNS, [_user(user) for user in chunk.users]),
        "threads": (THREAD_COLUMNS, [_thread(thread) for thread in chunk.threads]),
        "steps": (STEP_COLUMNS, [_step(step, "{}", "{}") for step in chunk.steps]),
        "elements": (
            ELEMENT_COLUMNS,
            [
                _element(
                    element,
                    f"{element.user_id}/{element.id}/{element.name}",
                    url_prefix=STOCK_FILES_PREFIX,
                )
                for element in chunk.elements
            ],
        ),
        "feedbacks": (
            FEEDBACK_COLUMNS,
            [(f.id, f.for_id, f.thread_id, f.value) for f in chunk.feedbacks],
        ),
    }


def _user(user: UserRow) -> tuple[Any, ...]:
    return (user.id, user.identifier, user.created_at, json.dumps(user.metadata))


def _thread(thread: ThreadRow) -> tuple[Any, ...]:
    return (
        thread.id,
        thread.created_at,
        thread.name,
        thread.user_id,
        thread.user_identifier,
        json.dumps(thread.metadata),
    )


def _step(step: StepRow, metadata: str, generation: str | None) -> tuple[Any, ...]:
    # A message's start and end are its creation time, as Message.to_dict()
    # sends them; it is neither streaming, waiting nor an error once stored.
    moment = step.created_at
    return (
        step.id,
        step.name,
        step.type,
        step.thread_id,
        False,
        False,
        False,
        metadata,
        step.output,
        moment,
        moment,
        moment,
        generation,
    )


def _element(
    element: ElementRow, object_key: str, *, url_prefix: str | None = None
) -> tuple[Any, ...]:
    # Yonca signs a URL on every read and stores none; the stock layer
    # stores the URL its storage client returned at upload.
    url = f"{url_prefix}/{object_key}" if url_prefix else None
    return (
        element.id,
        element.thread_id,
        "image",
        url,
        object_key,
        element.name,
        "inline",
        "medium",
        element.for_id,
        "image/jpeg",
        "{}",
    )
