"""A write that waits too long for a pooled connection is not thrown away.

Under load every connection of the pool can be busy for longer than the
pool's checkout timeout. Chainlit fires its writes as tasks and never looks
at their result, so a write that gives up there is a message lost without a
word to anybody. It must wait its turn like a write that meets a busy
database (retried within ``retry_seconds``) and, if the pool never frees up,
raise ``PersistenceError`` naming the operation.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest

from tests.reliability.conftest import LayerFactory
from yonca.errors import PersistenceError

ONE_CONNECTION = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2}


@pytest.mark.parametrize("dialect_name", ["postgresql", "sqlite"])
async def test_a_write_waits_for_a_connection_held_longer_than_the_pool_timeout(
    make_database: Callable[..., str], make_layer: LayerFactory, dialect_name: str
) -> None:
    layer = await make_layer(
        make_database(dialect_name), retry_seconds=10, engine_options=ONE_CONNECTION
    )
    step_id = str(uuid.uuid4())

    async with layer.engine.connect():
        write = asyncio.create_task(
            layer.create_step(
                {"id": step_id, "threadId": str(uuid.uuid4()), "output": "kept"}
            )
        )
        # Five pool timeouts pass while the only connection is taken.
        await asyncio.sleep(1.0)
    await write

    stored = await layer.get_step(step_id)
    assert stored is not None and stored["output"] == "kept"


@pytest.mark.parametrize("dialect_name", ["postgresql", "sqlite"])
async def test_a_pool_that_never_frees_up_raises_persistence_error(
    make_database: Callable[..., str], make_layer: LayerFactory, dialect_name: str
) -> None:
    layer = await make_layer(
        make_database(dialect_name), retry_seconds=1, engine_options=ONE_CONNECTION
    )

    async with layer.engine.connect():
        with pytest.raises(PersistenceError) as raised:
            await layer.create_step(
                {"id": str(uuid.uuid4()), "threadId": str(uuid.uuid4()), "output": "x"}
            )

    assert raised.value.kind == "create_step"
