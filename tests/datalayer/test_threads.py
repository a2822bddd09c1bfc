"""Threads: upserts, metadata merges, deletion and what survives it."""

from __future__ import annotations

import uuid

import chainlit as cl
import pytest
from chainlit.types import Feedback
from chainlit.user import PersistedUser, User

from yonca.datalayer import YoncaDataLayer
from yonca.errors import NotFoundError, OwnershipError, ThreadDeletedError


async def test_update_thread_creates_then_merges_metadata(
    layer: YoncaDataLayer, user: PersistedUser, thread_id: str
) -> None:
    await layer.update_thread(
        thread_id,
        name="Cotton plan",
        user_id=user.id,
        metadata={"farm_id": "F1", "language": "az", "draft": True},
        tags=["profile:cotton", "region:lankaran"],
    )
    await layer.update_thread(thread_id, metadata={"draft": None, "language": "en"})

    thread = await layer.get_thread(thread_id)
    assert thread is not None
    assert thread["name"] == "Cotton plan"
    assert thread["userId"] == user.id
    assert thread["userIdentifier"] == user.identifier
    assert thread["tags"] == ["profile:cotton", "region:lankaran"]
    assert thread["metadata"] == {"farm_id": "F1", "language": "en"}
    assert thread["createdAt"].endswith("Z")


async def test_update_thread_with_nothing_to_change_writes_nothing(
    layer: YoncaDataLayer, thread_id: str
) -> None:
    await layer.update_thread(thread_id)

    assert await layer.get_thread(thread_id) is None


async def test_update_thread_before_and_after_the_first_step(
    layer: YoncaDataLayer, user: PersistedUser, chainlit_session: str
) -> None:
    thread_id = chainlit_session
    await layer.update_thread(thread_id, metadata={"before": 1})
    message = cl.Message(content="salam")
    await layer.create_step(message.to_dict())
    await layer.update_thread(thread_id, name="salam", user_id=user.id)

    thread = await layer.get_thread(thread_id)
    assert thread is not None
    assert thread["metadata"] == {"before": 1}
    assert thread["name"] == "salam"
    assert [step["id"] for step in thread["steps"]] == [message.id]


async def test_a_long_thread_name_is_kept_whole(
    layer: YoncaDataLayer, thread_id: str
) -> None:
    name = "Ə" * 600
    await layer.update_thread(thread_id, name=name)

    thread = await layer.get_thread(thread_id)
    assert thread is not None and thread["name"] == name

    await layer.update_thread(thread_id, name="short")
    thread = await layer.get_thread(thread_id)
    assert thread is not None and thread["name"] == "short"


async def test_a_thread_cannot_change_owner(
    layer: YoncaDataLayer, user: PersistedUser, thread_id: str
) -> None:
    other = await layer.create_user(User(identifier=f"{uuid.uuid4()}@yonca.az"))
    assert other is not None
    await layer.update_thread(thread_id, user_id=user.id)

    with pytest.raises(OwnershipError):
        await layer.update_thread(thread_id, user_id=other.id)
    assert await layer.get_thread_author(thread_id) == user.identifier


async def test_an_unknown_user_is_refused(
    layer: YoncaDataLayer, thread_id: str
) -> None:
    with pytest.raises(NotFoundError, match="create_user"):
        await layer.update_thread(thread_id, user_id=str(uuid.uuid4()))


async def test_thread_author_of_an_unknown_thread_is_none(
    layer: YoncaDataLayer,
) -> None:
    assert not await layer.get_thread_author(str(uuid.uuid4()))


async def test_delete_thread_removes_everything_it_holds(
    layer: YoncaDataLayer,
    user: PersistedUser,
    chainlit_session: str,
    tmp_files_dir,
) -> None:
    thread_id = chainlit_session
    await layer.update_thread(thread_id, user_id=user.id, name="to delete")
    message = cl.Message(content="hello")
    await layer.create_step(message.to_dict())
    await layer.upsert_feedback(Feedback(forId=message.id, value=0, comment="no"))
    pdf = cl.Pdf(content=b"%PDF-1.4", name="plan.pdf", for_id=message.id)
    await layer.create_element(pdf)
    assert any(tmp_files_dir.rglob("plan.pdf"))

    await layer.delete_thread(thread_id)

    assert await layer.get_thread(thread_id) is None
    assert await layer.get_step(message.id) is None
    assert await layer.get_element(thread_id, pdf.id) is None
    assert not any(tmp_files_dir.rglob("plan.pdf"))


@pytest.mark.parametrize(
    "late_write",
    ["update_thread", "create_step", "update_step", "create_element"],
)
async def test_a_late_write_does_not_bring_a_deleted_thread_back(
    layer: YoncaDataLayer, user: PersistedUser, chainlit_session: str, late_write: str
) -> None:
    thread_id = chainlit_session
    await layer.update_thread(thread_id, user_id=user.id, name="gone soon")
    message = cl.Message(content="hi")
    await layer.create_step(message.to_dict())
    await layer.delete_thread(thread_id)

    with pytest.raises(ThreadDeletedError):
        if late_write == "update_thread":
            await layer.update_thread(thread_id, metadata={"chat_settings": {}})
        elif late_write == "create_step":
            await layer.create_step(cl.Message(content="late").to_dict())
        elif late_write == "update_step":
            await layer.update_step(message.to_dict())
        else:
            await layer.create_element(cl.Text(content="late", name="t.txt"))

    assert await layer.get_thread(thread_id) is None
    page = await layer.list_threads(
        cl.types.Pagination(first=20), cl.types.ThreadFilter(userId=user.id)
    )
    assert thread_id not in [thread["id"] for thread in page.data]
