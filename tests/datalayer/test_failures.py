"""A write that fails raises, once logged, and never reports success."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from yonca.datalayer import YoncaDataLayer
from yonca.errors import PersistenceError


@pytest.mark.parametrize("dialect_name", ["sqlite", "postgresql"])
async def test_a_failed_write_raises_and_is_logged_once_without_the_text(
    make_database: Callable[..., str],
    tmp_files_dir: Path,
    caplog: pytest.LogCaptureFixture,
    dialect_name: str,
) -> None:
    # A database without the schema makes every write fail for real.
    layer = YoncaDataLayer(
        make_database(dialect_name, migrate=False),
        files_dir=tmp_files_dir,
        secret="s",
        retry_seconds=0.5,
    )
    secret_text = "my private harvest numbers"
    try:
        with (
            caplog.at_level(logging.DEBUG, logger="yonca"),
            pytest.raises(PersistenceError, match="yonca db upgrade") as raised,
        ):
            await layer.create_step(
                {
                    "id": str(uuid.uuid4()),
                    "threadId": str(uuid.uuid4()),
                    "output": secret_text,
                }
            )
    finally:
        await layer.close()

    assert raised.value.kind == "create_step"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "create_step" in errors[0].getMessage()
    assert secret_text not in caplog.text
    assert secret_text not in str(raised.value)
