"""A full disk gives a clear error at once, and writes resume when space returns.

Two ways to run out of room: SQLite's own page limit (``max_page_count``),
which works anywhere, and a real filesystem that fills up (a tiny tmpfs,
where the machine lets the tests mount one) under a SQLite file, under the
element files and under a PostgreSQL tablespace.
"""

from __future__ import annotations

import asyncio
import errno
import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import chainlit as cl
import pytest
from chainlit.context import init_http_context
from sqlalchemy import event
from sqlalchemy.engine import make_url

from tests import databases
from tests.reliability.conftest import LayerFactory
from tests.reliability.private_postgres import PrivatePostgres
from tests.reliability.recording import RecordingDataLayer
from yonca.errors import PersistenceError, StorageError

PROMPT_SECONDS = 5.0
NO_LIMIT = 1_073_741_823  # SQLite's largest max_page_count


@pytest.fixture
def tiny_filesystem() -> Iterator[Path]:
    """A 24 MB tmpfs, or a skip where this machine cannot mount one."""
    mount_point = Path(tempfile.mkdtemp(prefix="yonca-full-disk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m,mode=0777", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        mount_point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)
        mount_point.rmdir()


def fill(directory: Path, leave_bytes: int = 0) -> Path:
    """Fill the filesystem of ``directory`` up to ``leave_bytes`` of free room."""
    ballast = directory / "ballast"
    chunk = b"\xff" * 65536
    with ballast.open("wb") as stream:
        while True:
            free = os.statvfs(directory).f_bavail * os.statvfs(directory).f_frsize
            if free <= leave_bytes:
                break
            try:
                stream.write(chunk[: max(4096, min(len(chunk), free - leave_bytes))])
                stream.flush()
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
    return ballast


def big_step(thread_id: str, size: int = 2_000_000) -> dict[str, Any]:
    # Random text, so that neither SQLite nor PostgreSQL's TOAST squeezes it.
    return {
        "id": str(uuid.uuid4()),
        "threadId": thread_id,
        "output": os.urandom(size // 2).hex(),
    }


async def assert_refused_as_full(layer: RecordingDataLayer, step: dict[str, Any]):
    started = time.monotonic()
    with pytest.raises(PersistenceError, match="disk is full") as raised:
        await layer.create_step(step)
    assert time.monotonic() - started < PROMPT_SECONDS
    assert raised.value.kind == "create_step"
    assert "free some space" in str(raised.value)


async def test_sqlite_at_its_page_limit_refuses_clearly_and_resumes(
    make_database: Callable[..., str], make_layer: LayerFactory
) -> None:
    url = make_database("sqlite")
    layer = await make_layer(url, retry_seconds=30)
    thread_id = str(uuid.uuid4())
    kept = big_step(thread_id, 1000)
    await layer.create_step(kept)
    limit = {"pages": 0}

    # The limit is per connection; setting it on every checkout lets the
    # test lift it later without touching the layer's pool.
    @event.listens_for(layer.engine.sync_engine, "checkout")
    def cap(dbapi_connection: Any, *_: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA max_page_count = {limit['pages'] or NO_LIMIT}")
        cursor.close()

    async with layer.engine.connect() as connection:
        pages = (await connection.exec_driver_sql("PRAGMA page_count")).scalar()
    limit["pages"] = int(pages) + 4

    await assert_refused_as_full(layer, big_step(thread_id))
    await assert_refused_as_full(layer, big_step(thread_id))

    limit["pages"] = 0
    resumed = big_step(thread_id)
    await layer.create_step(resumed)
    thread = await layer.get_thread(thread_id)
    assert thread is not None
    assert [s["id"] for s in thread["steps"]] == [kept["id"], resumed["id"]]
    assert thread["steps"][1]["output"] == resumed["output"]


@pytest.mark.slow
async def test_a_full_filesystem_under_sqlite_and_files_refuses_clearly_and_resumes(
    tiny_filesystem: Path, make_layer: LayerFactory
) -> None:
    url = await asyncio.to_thread(databases.create_sqlite_database, tiny_filesystem)
    files_dir = tiny_filesystem / "files"
    layer = RecordingDataLayer(
        url, files_dir=files_dir, secret="full", retry_seconds=30
    )
    thread_id = str(uuid.uuid4())
    init_http_context(thread_id=thread_id)
    try:
        await layer.create_step(big_step(thread_id, 1000))
        ballast = fill(tiny_filesystem)

        await assert_refused_as_full(layer, big_step(thread_id))
        image = cl.Image(content=os.urandom(1_000_000), name="field.png")
        with pytest.raises(StorageError, match="free disk space"):
            await layer.create_element(image)
        assert await layer.get_element(thread_id, image.id) is None

        ballast.unlink()
        resumed = big_step(thread_id)
        await layer.create_step(resumed)
        await layer.create_element(image)
        stored = await layer.get_step(resumed["id"])
        assert stored is not None and stored["output"] == resumed["output"]
        assert await layer.get_element(thread_id, image.id) is not None
    finally:
        await layer.close()


@pytest.mark.slow
async def test_a_full_postgres_tablespace_refuses_clearly_and_resumes(
    tiny_filesystem: Path,
    private_postgres: PrivatePostgres,
    make_layer: LayerFactory,
) -> None:
    tablespace = tiny_filesystem / "tablespace"
    tablespace.mkdir()
    if private_postgres.account is not None:
        account = private_postgres.account
        os.chown(tablespace, account.pw_uid, account.pw_gid)
    name = f"yonca_full_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(private_postgres.url)
    try:
        await admin.execute(f"CREATE TABLESPACE {name} LOCATION '{tablespace}'")
        await admin.execute(f"CREATE DATABASE {name} TABLESPACE {name}")
    finally:
        await admin.close()
    url = make_url(private_postgres.url).set(database=name).render_as_string(False)
    await asyncio.to_thread(_migrate, url)
    layer = await make_layer(url, retry_seconds=30)
    thread_id = str(uuid.uuid4())
    await layer.create_step(big_step(thread_id, 1000))
    ballast = fill(tiny_filesystem, leave_bytes=256 * 1024)

    await assert_refused_as_full(layer, big_step(thread_id))

    ballast.unlink()
    resumed = big_step(thread_id)
    await layer.create_step(resumed)
    stored = await layer.get_step(resumed["id"])
    assert stored is not None and stored["output"] == resumed["output"]
    await layer.close()
    admin = await asyncpg.connect(private_postgres.url)
    try:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.execute(f"DROP TABLESPACE {name}")
    finally:
        await admin.close()


def _migrate(url: str) -> None:
    from yonca import migrations

    migrations.upgrade(url)
