"""Many farmers at once: every message kept exactly once, with its final text.

100 concurrent sessions of 30 exchanges on PostgreSQL and 20 on SQLite, each
making Chainlit's real calls (see ``conversations``) with their writes
finishing in a scrambled order. Afterwards the database must hold exactly
what every farmer saw, and no write may have failed unseen.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable

import pytest
from chainlit.types import Pagination, ThreadFilter
from sqlalchemy import text

from tests.reliability.conftest import LayerFactory, new_user, registered_with_chainlit
from tests.reliability.conversations import Conversation, differences
from tests.reliability.recording import RecordingDataLayer

logger = logging.getLogger(__name__)

SESSIONS = {"postgresql": 100, "sqlite": 20}
EXCHANGES = 30


async def run_conversations(
    layer: RecordingDataLayer, conversations: list[Conversation]
) -> list[BaseException]:
    """Run every conversation at once and wait for the writes they started.

    Returns what the sessions raised (an awaited write such as a vote), after
    letting every session finish, so that one failure hides no other.
    """
    with registered_with_chainlit(layer):
        ended = await asyncio.gather(
            *(c.run(layer) for c in conversations), return_exceptions=True
        )
        await layer.settle()
    return [outcome for outcome in ended if isinstance(outcome, BaseException)]


async def out_of_order_steps(layer: RecordingDataLayer) -> int:
    """How many steps had their update finish before their create."""
    finished: dict[tuple[str, str], int] = {}
    for outcome in layer.writes.outcomes:
        if outcome.finished is not None:
            finished[(outcome.kind, outcome.key)] = outcome.finished
    return sum(
        1
        for (kind, key), moment in finished.items()
        if kind == "create_step" and moment > finished.get(("update_step", key), moment)
    )


@pytest.mark.slow
@pytest.mark.parametrize("dialect_name", ["postgresql", "sqlite"])
async def test_concurrent_sessions_keep_every_step_exactly_once(
    make_database: Callable[..., str],
    make_layer: LayerFactory,
    caplog: pytest.LogCaptureFixture,
    dialect_name: str,
) -> None:
    url = make_database(dialect_name)
    layer = await make_layer(url, jitter_seconds=0.02)
    conversations = [
        Conversation(
            user=await new_user(layer),
            thread_id=str(uuid.uuid4()),
            exchanges=EXCHANGES,
            profile=("cotton", "wheat", "vegetables", "fruit")[index % 4],
        )
        for index in range(SESSIONS[dialect_name])
    ]

    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        raised = await run_conversations(layer, conversations)
    logger.info(
        "%d sessions x %d exchanges on %s: %d writes in %.1f s",
        len(conversations),
        EXCHANGES,
        dialect_name,
        len(layer.writes.outcomes),
        time.monotonic() - started,
    )

    failures = [(o.kind, o.key, repr(o.error)) for o in layer.writes.failures()]
    assert failures == []
    assert raised == []
    assert layer.writes.unfinished() == []
    # Chainlit logs the errors of its own writes instead of raising them.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    # The scrambling must really have happened, or the test proves less.
    assert await out_of_order_steps(layer) > 0

    found: list[str] = []
    for conversation in conversations:
        found.extend(await differences(layer, conversation))
    assert found == []

    async with layer.engine.connect() as connection:
        stored = await connection.scalar(text("SELECT count(*) FROM steps"))
        stray_threads = await connection.scalar(
            text('SELECT count(*) FROM threads WHERE "userId" IS NULL')
        )
    assert stored == sum(len(c.steps) for c in conversations)
    assert stray_threads == 0

    for conversation in conversations:
        page = await layer.list_threads(
            Pagination(first=20), ThreadFilter(userId=conversation.user.id)
        )
        assert [t["id"] for t in page.data] == [conversation.thread_id]
