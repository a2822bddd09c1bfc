"""Feedback: Chainlit's 1/0 in and out, the contract's 1/-1 stored."""

from __future__ import annotations

from types import SimpleNamespace

import chainlit as cl
import pytest
from chainlit.types import Feedback
from sqlalchemy import select

from yonca.contract import feedbacks
from yonca.datalayer import YoncaDataLayer
from yonca.errors import InvalidInputError, NotFoundError


async def stored_rows(layer: YoncaDataLayer, step_id: str) -> list[tuple]:
    async with layer.engine.connect() as connection:
        result = await connection.execute(
            select(feedbacks.c.value, feedbacks.c.threadId, feedbacks.c.comment).where(
                feedbacks.c.forId == step_id
            )
        )
        return [tuple(row) for row in result]


async def test_thumbs_down_is_stored_as_minus_one_and_read_as_zero(
    layer: YoncaDataLayer, chainlit_session: str
) -> None:
    message = cl.Message(content="answer")
    await layer.create_step(message.to_dict())

    feedback_id = await layer.upsert_feedback(
        Feedback(forId=message.id, value=0, comment="wrong crop")
    )

    assert await stored_rows(layer, message.id) == [
        (-1, chainlit_session, "wrong crop")
    ]
    step = await layer.get_step(message.id)
    assert step is not None
    assert step["feedback"] == {
        "forId": message.id,
        "id": feedback_id,
        "value": 0,
        "comment": "wrong crop",
    }


async def test_a_second_vote_updates_the_first(
    layer: YoncaDataLayer, chainlit_session: str
) -> None:
    message = cl.Message(content="answer")
    await layer.create_step(message.to_dict())

    first = await layer.upsert_feedback(Feedback(forId=message.id, value=0))
    second = await layer.upsert_feedback(Feedback(forId=message.id, value=1))

    assert first == second
    assert await stored_rows(layer, message.id) == [(1, chainlit_session, None)]


async def test_delete_feedback(layer: YoncaDataLayer, chainlit_session: str) -> None:
    message = cl.Message(content="answer")
    await layer.create_step(message.to_dict())
    feedback_id = await layer.upsert_feedback(Feedback(forId=message.id, value=1))

    assert await layer.delete_feedback(feedback_id) is True
    assert await layer.delete_feedback(feedback_id) is False
    step = await layer.get_step(message.id)
    assert step is not None and "feedback" not in step


async def test_feedback_on_an_unknown_step_without_thread_is_refused(
    layer: YoncaDataLayer,
) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        await layer.upsert_feedback(Feedback(forId="no-such-step", value=1))


async def test_an_invalid_value_is_refused(
    layer: YoncaDataLayer, chainlit_session: str
) -> None:
    message = cl.Message(content="answer")
    await layer.create_step(message.to_dict())
    # Chainlit's own Feedback refuses 5; a caller bypassing it must not get in.
    forged = SimpleNamespace(
        forId=message.id, value=5, threadId=None, id=None, comment=None
    )
    with pytest.raises(InvalidInputError):
        await layer.upsert_feedback(forged)  # type: ignore[arg-type]


async def test_another_steps_feedback_id_is_never_overwritten(
    layer: YoncaDataLayer, chainlit_session: str
) -> None:
    theirs = cl.Message(content="their answer")
    mine = cl.Message(content="my answer")
    await layer.create_step(theirs.to_dict())
    await layer.create_step(mine.to_dict())
    their_feedback = await layer.upsert_feedback(
        Feedback(forId=theirs.id, value=1, comment="useful")
    )

    my_feedback = await layer.upsert_feedback(
        Feedback(forId=mine.id, value=0, id=their_feedback, threadId="elsewhere")
    )

    assert my_feedback != their_feedback
    assert await stored_rows(layer, theirs.id) == [(1, chainlit_session, "useful")]
    assert await stored_rows(layer, mine.id) == [(-1, chainlit_session, None)]
