"""A database that refuses writes gives a clear error at once, not a retry storm.

Reads keep working, the error names the operation and says what to check,
and it comes back at once instead of after the retry window, so a server
whose database turned read-only answers quickly and logs one line per write.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.reliability.conftest import LayerFactory
from tests.reliability.recording import RecordingDataLayer
from yonca.errors import PersistenceError

# Far below the layer's retry window (30 s): the error was not retried.
PROMPT_SECONDS = 5.0


def read_only_url(sqlite_url: str) -> str:
    path = make_url(sqlite_url).database
    return f"sqlite:///file:{path}?mode=ro&uri=true"


async def write_step(layer: RecordingDataLayer, thread_id: str, text: str) -> str:
    step_id = str(uuid.uuid4())
    await layer.create_step({"id": step_id, "threadId": thread_id, "output": text})
    return step_id


async def assert_refused_clearly(layer: RecordingDataLayer, thread_id: str) -> None:
    started = time.monotonic()
    with pytest.raises(PersistenceError, match="read-only") as raised:
        await write_step(layer, thread_id, "refused")
    assert time.monotonic() - started < PROMPT_SECONDS
    assert raised.value.kind == "create_step"


async def postgres_admin(url: str, statement: str) -> None:
    parsed = make_url(url)
    admin = await asyncpg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, database="postgres"
    )
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


async def test_a_read_only_sqlite_file_refuses_writes_clearly_and_still_reads(
    make_database: Callable[..., str], make_layer: LayerFactory
) -> None:
    url = make_database("sqlite")
    thread_id = str(uuid.uuid4())
    kept = await write_step(await make_layer(url), thread_id, "before")
    reader = await make_layer(read_only_url(url), retry_seconds=30)

    await assert_refused_clearly(reader, thread_id)
    await assert_refused_clearly(reader, thread_id)

    thread = await reader.get_thread(thread_id)
    assert thread is not None
    assert [(s["id"], s["output"]) for s in thread["steps"]] == [(kept, "before")]


async def test_a_read_only_postgres_database_refuses_writes_clearly(
    make_database: Callable[..., str], make_layer: LayerFactory
) -> None:
    url = make_database("postgresql")
    name = make_url(url).database
    thread_id = str(uuid.uuid4())
    await postgres_admin(
        url, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'
    )
    layer = await make_layer(url, retry_seconds=30)

    await assert_refused_clearly(layer, thread_id)
    await assert_refused_clearly(layer, thread_id)
    assert await layer.get_thread(thread_id) is None


async def test_writes_resume_once_postgres_accepts_them_again(
    make_database: Callable[..., str], make_layer: LayerFactory
) -> None:
    url = make_database("postgresql")
    name = make_url(url).database
    thread_id = str(uuid.uuid4())
    layer = await make_layer(url, retry_seconds=30)
    await write_step(layer, thread_id, "before")

    # A failover to a standby, or an operator fencing the database: the
    # server closes its sessions, and new ones are read-only.
    await postgres_admin(
        url, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'
    )
    await postgres_admin(
        url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{name}'",
    )
    await assert_refused_clearly(layer, thread_id)

    await postgres_admin(
        url, f'ALTER DATABASE "{name}" SET default_transaction_read_only = off'
    )
    after = await write_step(layer, thread_id, "after")
    assert (await layer.get_step(after)) is not None
