"""The sidebar: one user's threads, searched, filtered and paged in SQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from chainlit.types import Feedback, Pagination, ThreadFilter
from chainlit.user import PersistedUser, User
from sqlalchemy import event

from yonca.datalayer import YoncaDataLayer


async def add_thread(
    layer: YoncaDataLayer,
    user: PersistedUser,
    *,
    name: str,
    at: str,
    text: str = "salam",
    feedback: int | None = None,
) -> str:
    thread_id = str(uuid.uuid4())
    step_id = str(uuid.uuid4())
    await layer.update_thread(thread_id, name=name, user_id=user.id)
    await layer.create_step(
        {
            "id": step_id,
            "threadId": thread_id,
            "type": "assistant_message",
            "output": text,
            "createdAt": at,
            "metadata": {},
        }
    )
    if feedback is not None:
        vote = Feedback(forId=step_id, value=1 if feedback == 1 else 0)
        await layer.upsert_feedback(vote)
    return thread_id


def moment(minute: int) -> str:
    # Later than the threads' creation, as steps are in real conversations.
    return f"2030-05-01T10:{minute:02d}:00.000000Z"


async def page_ids(
    layer: YoncaDataLayer, user: PersistedUser, first: int = 20, **filters: Any
) -> list[str]:
    page = await layer.list_threads(
        Pagination(first=first), ThreadFilter(userId=user.id, **filters)
    )
    return [thread["id"] for thread in page.data]


async def test_threads_come_newest_activity_first(
    layer: YoncaDataLayer, user: PersistedUser
) -> None:
    older = await add_thread(layer, user, name="older", at=moment(1))
    newer = await add_thread(layer, user, name="newer", at=moment(2))
    assert await page_ids(layer, user) == [newer, older]

    await layer.create_step(
        {
            "id": str(uuid.uuid4()),
            "threadId": older,
            "output": "again",
            "createdAt": moment(3),
        }
    )
    assert await page_ids(layer, user) == [older, newer]


async def test_renaming_or_saving_settings_does_not_reorder(
    layer: YoncaDataLayer, user: PersistedUser
) -> None:
    older = await add_thread(layer, user, name="older", at=moment(1))
    newer = await add_thread(layer, user, name="newer", at=moment(2))

    await layer.update_thread(older, name="renamed", metadata={"chat_settings": {}})

    assert await page_ids(layer, user) == [newer, older]


async def test_pages_cover_every_thread_once(
    layer: YoncaDataLayer, user: PersistedUser
) -> None:
    created = [
        await add_thread(layer, user, name=f"t{i}", at=moment(i % 3)) for i in range(23)
    ]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = await layer.list_threads(
            Pagination(first=5, cursor=cursor), ThreadFilter(userId=user.id)
        )
        seen += [thread["id"] for thread in page.data]
        pages += 1
        if not page.pageInfo.hasNextPage:
            break
        cursor = page.pageInfo.endCursor

    assert pages == 5
    assert sorted(seen) == sorted(created)
    assert len(seen) == len(set(seen))


async def test_a_bare_thread_id_works_as_a_cursor(
    layer: YoncaDataLayer, user: PersistedUser
) -> None:
    first, second, _third = [
        await add_thread(layer, user, name=str(i), at=moment(i)) for i in (3, 2, 1)
    ]
    page = await layer.list_threads(
        Pagination(first=1, cursor=first), ThreadFilter(userId=user.id)
    )
    assert [thread["id"] for thread in page.data] == [second]


async def test_only_the_users_own_threads_are_listed(
    layer: YoncaDataLayer, user: PersistedUser
) -> None:
    other = await layer.create_user(User(identifier=f"{uuid.uuid4()}@yonca.az"))
    assert other is not None
    mine = await add_thread(layer, user, name="mine", at=moment(1))
    await add_thread(layer, other, name="theirs", at=moment(2))

    assert await page_ids(layer, user) == [mine]


async def test_the_sidebar_gets_what_it_shows_and_no_steps(
    layer: YoncaDataLayer, user: PersistedUser
) -> None:
    thread_id = await add_thread(layer, user, name="shown", at=moment(1))
    await layer.update_thread(thread_id, metadata={"is_shared": True})

    page = await layer.list_threads(Pagination(first=20), ThreadFilter(userId=user.id))

    thread = page.data[0]
    assert thread["name"] == "shown"
    assert thread["metadata"] == {"is_shared": True}
    assert thread["createdAt"].endswith("Z")
    assert thread["steps"] == []


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("pambıq", ["cotton"]),  # message text, Azerbaijani letters
        ("PAMBIQ", ["cotton"]),  # both Azerbaijani i's fold to a plain i
        ("BUĞDA", ["wheat"]),  # thread name, any case
        ("%", ["percent"]),  # a LIKE wildcard is just a character
        ("_", []),
        ("zzz", []),
    ],
)
async def test_search_matches_thread_names_and_message_text(
    layer: YoncaDataLayer, user: PersistedUser, search: str, expected: list[str]
) -> None:
    named = {
        "cotton": await add_thread(
            layer, user, name="Plan", at=moment(1), text="Pambıq əkini"
        ),
        "wheat": await add_thread(layer, user, name="Buğda suvarma", at=moment(2)),
        "percent": await add_thread(layer, user, name="Yield 90%", at=moment(3)),
    }

    found = await page_ids(layer, user, search=search)

    assert found == [named[key] for key in expected]


async def test_feedback_filter_finds_thumbs_down_and_up(
    layer: YoncaDataLayer, user: PersistedUser
) -> None:
    liked = await add_thread(layer, user, name="liked", at=moment(1), feedback=1)
    disliked = await add_thread(layer, user, name="disliked", at=moment(2), feedback=0)
    await add_thread(layer, user, name="no vote", at=moment(3))

    assert await page_ids(layer, user, feedback=0) == [disliked]
    assert await page_ids(layer, user, feedback=1) == [liked]


async def test_search_and_filter_combine_with_paging(
    layer: YoncaDataLayer, user: PersistedUser
) -> None:
    matching = [
        await add_thread(layer, user, name=f"cotton {i}", at=moment(i), feedback=0)
        for i in range(7)
    ]
    await add_thread(layer, user, name="cotton liked", at=moment(30), feedback=1)

    first = await layer.list_threads(
        Pagination(first=4), ThreadFilter(userId=user.id, search="cotton", feedback=0)
    )
    rest = await layer.list_threads(
        Pagination(first=4, cursor=first.pageInfo.endCursor),
        ThreadFilter(userId=user.id, search="cotton", feedback=0),
    )

    assert first.pageInfo.hasNextPage and not rest.pageInfo.hasNextPage
    ids = [t["id"] for t in first.data + rest.data]
    assert ids == list(reversed(matching))


async def test_ids_and_search_terms_never_enter_the_sql_text(
    layer: YoncaDataLayer, user: PersistedUser
) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(layer.engine.sync_engine, "before_cursor_execute", record)
    hostile_id = "x'); DROP TABLE steps; --"
    await layer.update_thread(hostile_id, name="quote ' \" thread", user_id=user.id)
    await layer.create_step({"id": "s'1", "threadId": hostile_id, "output": "o'k"})
    await page_ids(layer, user, search="'; DELETE FROM threads; --")
    await layer.get_thread(hostile_id)
    await layer.delete_thread(hostile_id)
    event.remove(layer.engine.sync_engine, "before_cursor_execute", record)

    assert statements
    assert not [
        s for s in statements if "DROP TABLE" in s or "DELETE FROM threads;" in s
    ]
    assert await page_ids(layer, user) == []


@pytest.mark.parametrize("search", ["iyun", "İYUN", "IYUN", "ıyun", "ŞƏKİ"])
async def test_search_folds_both_azerbaijani_is(
    layer: YoncaDataLayer, user: PersistedUser, search: str
) -> None:
    found = await add_thread(
        layer, user, name="Şəki üzüm", at=moment(1), text="İyun ayında suvarma"
    )

    assert await page_ids(layer, user, search=search) == [found]
