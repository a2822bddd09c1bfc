"""On SQLite, "database is locked" delays a write; it never loses one.

Another process (a CLI command, a backup, a second server) may hold the
write lock of the database file. The layer's write waits in SQLite's busy
handler, and when even that gives up with "database is locked", retries
until the lock is gone or its retry window ends, then raises.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from tests.reliability.conftest import LayerFactory
from tests.reliability.recording import RecordingDataLayer
from yonca.errors import PersistenceError


@contextmanager
def write_lock_held(url: str) -> Iterator[None]:
    """Hold the database's write lock from another connection, as a CLI would."""
    holder = sqlite3.connect(
        make_url(url).database or "", isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("COMMIT")
        holder.close()


def short_busy_timeout(layer: RecordingDataLayer, milliseconds: int) -> None:
    """Make SQLite give up waiting quickly, so the layer's own retry shows."""

    @event.listens_for(layer.engine.sync_engine, "connect")
    def shorten(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.cursor().execute(f"PRAGMA busy_timeout = {milliseconds}")


def a_step() -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "threadId": str(uuid.uuid4()), "output": "kept"}


@pytest.mark.parametrize("busy_timeout_ms", [None, 50])
async def test_a_write_blocked_by_another_writer_waits_and_lands(
    make_database: Callable[..., str],
    make_layer: LayerFactory,
    caplog: pytest.LogCaptureFixture,
    busy_timeout_ms: int | None,
) -> None:
    url = make_database("sqlite")
    layer = await make_layer(url, retry_seconds=30)
    if busy_timeout_ms is not None:
        short_busy_timeout(layer, busy_timeout_ms)
    step = a_step()

    with caplog.at_level("DEBUG", logger="yonca.datalayer"), write_lock_held(url):
        write = asyncio.create_task(layer.create_step(step))
        await asyncio.sleep(1.5)
        assert not write.done()
    await write

    stored = await layer.get_step(step["id"])
    assert stored is not None and stored["output"] == "kept"
    if busy_timeout_ms is not None:
        # SQLite gave up ("database is locked") and the layer tried again.
        assert any("locked" in record.getMessage() for record in caplog.records)


async def test_a_lock_that_outlasts_the_retry_window_raises(
    make_database: Callable[..., str], make_layer: LayerFactory
) -> None:
    url = make_database("sqlite")
    layer = await make_layer(url, retry_seconds=1)
    short_busy_timeout(layer, 50)
    step = a_step()

    with write_lock_held(url), pytest.raises(PersistenceError) as raised:
        await layer.create_step(step)

    assert raised.value.kind == "create_step"
    assert "busy" in str(raised.value) or "locked" in str(raised.value)
    assert await layer.get_step(step["id"]) is None
