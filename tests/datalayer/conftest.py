"""Fixtures for driving the data layer the way Chainlit's server does."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from chainlit.context import init_http_context
from chainlit.user import PersistedUser, User

from yonca.datalayer import YoncaDataLayer


@pytest.fixture
def upload_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "chainlit-uploads"
    directory.mkdir()
    return directory


@pytest.fixture
async def layer(
    database_url: str, tmp_files_dir: Path, upload_dir: Path
) -> AsyncIterator[YoncaDataLayer]:
    data_layer = YoncaDataLayer(
        database_url,
        files_dir=tmp_files_dir,
        secret="test-secret",
        upload_dirs=[upload_dir],
        retry_seconds=2,
    )
    yield data_layer
    await data_layer.close()


@pytest.fixture
async def user(layer: YoncaDataLayer) -> PersistedUser:
    created = await layer.create_user(
        User(identifier=f"farmer-{uuid.uuid4().hex[:8]}@yonca.az")
    )
    assert created is not None
    return created


@pytest.fixture
def thread_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
async def chainlit_session(thread_id: str) -> AsyncIterator[str]:
    """An HTTP-style Chainlit context, so Step and Message can be built."""
    init_http_context(thread_id=thread_id)
    yield thread_id
