"""PostgreSQL restarted in the middle of a load run: nothing acknowledged is lost.

Sessions talk while a private server is stopped (cleanly, or killed as in a
crash), kept down for a while and started again. The data layer must ride
it out by itself: every write either lands or raises ``PersistenceError`` to
its caller, and no write that returned normally may be missing afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest

from tests import databases
from tests.reliability.conftest import LayerFactory, new_user, registered_with_chainlit
from tests.reliability.conversations import Conversation, differences
from tests.reliability.private_postgres import PrivatePostgres
from tests.reliability.recording import Outcome, RecordingDataLayer
from yonca.errors import PersistenceError

SESSIONS = 20
EXCHANGES = 10
DOWN_SECONDS = 2.0


async def acknowledged_but_missing(
    layer: RecordingDataLayer, outcomes: list[Outcome]
) -> list[str]:
    """Writes that returned normally but whose effect is not in the database."""
    missing: list[str] = []
    for outcome in outcomes:
        if not outcome.succeeded:
            continue
        where = f"{outcome.kind} {outcome.key}"
        if outcome.kind in ("create_step", "update_step"):
            stored = await layer.get_step(outcome.key)
            if stored is None:
                missing.append(f"{where}: no such step")
            elif (
                outcome.kind == "update_step"
                and stored["output"] != outcome.payload["output"]
            ):
                missing.append(f"{where}: output {stored['output']!r}")
        elif outcome.kind == "create_element":
            element = outcome.payload
            if await layer.get_element(element.thread_id, element.id) is None:
                missing.append(f"{where}: no such element")
        elif outcome.kind == "upsert_feedback":
            stored = await layer.get_step(outcome.key)
            if stored is None or stored.get("feedback") is None:
                missing.append(f"{where}: no feedback")
        elif outcome.kind == "update_thread":
            thread = await layer.get_thread(outcome.key)
            user_id = outcome.payload.get("user_id")
            if thread is None or (user_id and thread["userId"] != user_id):
                missing.append(f"{where}: thread not stored as written")
    return missing


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["fast", "immediate"])
async def test_a_restart_during_load_loses_no_acknowledged_write(
    private_postgres: PrivatePostgres,
    make_layer: LayerFactory,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    url = await asyncio.to_thread(
        databases.create_postgres_database, private_postgres.url
    )
    layer = await make_layer(url, jitter_seconds=0.02, retry_seconds=30)
    conversations = [
        Conversation(await new_user(layer), str(uuid.uuid4()), EXCHANGES)
        for _ in range(SESSIONS)
    ]

    with (
        caplog.at_level(logging.DEBUG, logger="yonca.datalayer"),
        registered_with_chainlit(layer),
    ):
        talking = asyncio.gather(*(c.run(layer) for c in conversations))
        while len(layer.writes.outcomes) < SESSIONS * EXCHANGES:
            await asyncio.sleep(0.05)
        await asyncio.to_thread(private_postgres.restart, mode, DOWN_SECONDS)
        await talking
        await layer.settle()

    failures = layer.writes.failures()
    assert [o for o in failures if not isinstance(o.error, PersistenceError)] == []
    assert await acknowledged_but_missing(layer, layer.writes.outcomes) == []
    # The restart must have hit writes in flight, or it proved nothing.
    assert any("retry" in record.getMessage() for record in caplog.records)
    # With the server back within the retry window, nothing needed to fail.
    assert failures == []
    found: list[str] = []
    for conversation in conversations:
        found.extend(await differences(layer, conversation))
    assert found == []
