"""Fixtures of the reliability tests: recording layers, Chainlit wiring, servers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import chainlit.data
import pytest
from chainlit.user import PersistedUser, User

from tests.reliability.private_postgres import PrivatePostgres
from tests.reliability.recording import RecordingDataLayer
from yonca.datalayer import YoncaDataLayer

LayerFactory = Callable[..., Awaitable[RecordingDataLayer]]


@contextmanager
def registered_with_chainlit(layer: YoncaDataLayer) -> Iterator[None]:
    """Make ``layer`` what Chainlit's ``get_data_layer()`` returns, for a while.

    Chainlit keeps its data layer in module globals; setting them directly
    (with the "initialized" flag) is what ``@cl.data_layer`` ends up doing,
    without replacing the app's callback for the rest of the test session.
    """
    saved = chainlit.data._data_layer, chainlit.data._data_layer_initialized
    chainlit.data._data_layer = layer
    chainlit.data._data_layer_initialized = True
    try:
        yield
    finally:
        chainlit.data._data_layer, chainlit.data._data_layer_initialized = saved


@pytest.fixture
def files_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "files"
    directory.mkdir()
    return directory


@pytest.fixture
def upload_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "uploads"
    directory.mkdir()
    return directory


@pytest.fixture
async def make_layer(files_dir: Path, upload_dir: Path) -> AsyncIterator[LayerFactory]:
    """Open recording data layers on any URL; all are closed after the test."""
    opened: list[RecordingDataLayer] = []

    async def make(url: str, **options: Any) -> RecordingDataLayer:
        options.setdefault("retry_seconds", 30)
        layer = RecordingDataLayer(
            url,
            files_dir=files_dir,
            secret="reliability-secret",
            upload_dirs=[upload_dir],
            **options,
        )
        opened.append(layer)
        return layer

    yield make
    for layer in opened:
        await layer.close()


@pytest.fixture
async def layer(make_layer: LayerFactory, database_url: str) -> RecordingDataLayer:
    """A layer on the session's shared database of each dialect."""
    return await make_layer(database_url, retry_seconds=5)


async def new_user(layer: YoncaDataLayer, prefix: str = "farmer") -> PersistedUser:
    user = await layer.create_user(
        User(identifier=f"{prefix}-{uuid.uuid4().hex[:10]}@yonca.az")
    )
    assert user is not None
    return user


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL server of this test session alone, free to restart."""
    server = PrivatePostgres()
    server.start()
    try:
        yield server
    finally:
        server.remove()
