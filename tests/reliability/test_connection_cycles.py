"""Opening and closing the data layer 200 times leaks no connection or file.

Chainlit makes its data layer once per process, but tests, CLI commands and
a server that reloads its app open and close layers over and over; a pool
that outlives ``close()`` would eat the server's connection slots and the
process's file descriptors one reload at a time.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import asyncpg
import psutil
import pytest
from sqlalchemy.engine import make_url

from yonca.datalayer import YoncaDataLayer

CYCLES = 200
# Descriptors and threads the interpreter may open on its own meanwhile
# (a log file, an executor thread); a leak of one per cycle is far above it.
SLACK = 8


async def server_connections(url: str) -> int:
    """Connections the server has open to the database of ``url``, but ours."""
    parsed = make_url(url)
    admin = await asyncpg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, database="postgres"
    )
    try:
        return int(
            await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1",
                parsed.database,
            )
        )
    finally:
        await admin.close()


async def use_once(url: str, files_dir: Path) -> YoncaDataLayer:
    """Open a layer, write and read through it, and close it."""
    layer = YoncaDataLayer(url, files_dir=files_dir, secret="cycles")
    thread_id = str(uuid.uuid4())
    try:
        await layer.create_step(
            {"id": str(uuid.uuid4()), "threadId": thread_id, "output": "cycle"}
        )
        thread = await layer.get_thread(thread_id)
        assert thread is not None and len(thread["steps"]) == 1
    finally:
        await layer.close()
    return layer


@pytest.mark.slow
@pytest.mark.parametrize("dialect_name", ["postgresql", "sqlite"])
async def test_two_hundred_open_close_cycles_leak_nothing(
    make_database: Callable[..., str], files_dir: Path, dialect_name: str
) -> None:
    url = make_database(dialect_name)
    process = psutil.Process()
    await use_once(url, files_dir)  # first use loads modules and caches
    descriptors, threads = process.num_fds(), threading.active_count()

    for cycle in range(CYCLES):
        layer = await use_once(url, files_dir)
        if dialect_name == "postgresql" and cycle % 50 == 0:
            assert await server_connections(url) == 0, f"after cycle {cycle}"

    assert layer.engine.pool.checkedout() == 0
    assert process.num_fds() <= descriptors + SLACK
    assert threading.active_count() <= threads + SLACK
    if dialect_name == "postgresql":
        assert await server_connections(url) == 0
    else:
        database_file = make_url(url).database
        assert database_file is not None
        still_open = [f.path for f in process.open_files() if database_file in f.path]
        assert still_open == []
