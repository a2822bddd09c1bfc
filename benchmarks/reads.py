"""The read operations, and the answers every implementation must give.

Each operation is the call Chainlit's server makes: the sidebar's first
page and the next one (``list_threads`` with ``Pagination(first=20)`` and a
``ThreadFilter`` for the user), a search that hits, the 👎 filter, and
opening the long thread. Its answer is reduced to ids (thread ids in page
order, step ids in thread order) and compared with what the generator
knows the answer to be.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from chainlit.types import Pagination, ThreadFilter

from benchmarks.dataset import SEARCH_TERM, DatasetFacts
from benchmarks.subjects import Subject

PAGE_SIZE = 20


@dataclass(frozen=True)
class ReadOperation:
    key: str
    title: str
    expected: Callable[[DatasetFacts], list[str]]
    answer: Callable[[Any], list[str]]


def _thread_ids(page: Any) -> list[str]:
    return [str(thread["id"]) for thread in page.data]


def _step_ids(thread: Any) -> list[str]:
    return [str(step["id"]) for step in (thread or {}).get("steps", [])]


READ_OPERATIONS = (
    ReadOperation(
        "sidebar_first",
        "sidebar, first page",
        lambda facts: facts.newest_threads[:PAGE_SIZE],
        _thread_ids,
    ),
    ReadOperation(
        "sidebar_next",
        "sidebar, next page",
        lambda facts: facts.newest_threads[PAGE_SIZE : 2 * PAGE_SIZE],
        _thread_ids,
    ),
    ReadOperation(
        "search",
        f"search '{SEARCH_TERM}'",
        lambda facts: facts.newest_search_hits[:PAGE_SIZE],
        _thread_ids,
    ),
    ReadOperation(
        "thumbs_down",
        "👎 filter",
        lambda facts: facts.newest_thumbs_down[:PAGE_SIZE],
        _thread_ids,
    ),
    ReadOperation(
        "get_thread",
        "get_thread, long thread",
        lambda facts: facts.long_thread_step_ids,
        _step_ids,
    ),
)


class ReadCalls:
    """Builds each read operation's call for one subject."""

    def __init__(self, facts: DatasetFacts) -> None:
        self.facts = facts

    def sidebar(self, subject: Subject, **filters: Any) -> Callable[[], Awaitable[Any]]:
        return self.page(subject, None, **filters)

    def page(
        self, subject: Subject, cursor: str | None, **filters: Any
    ) -> Callable[[], Awaitable[Any]]:
        pagination = Pagination(first=PAGE_SIZE, cursor=cursor)
        thread_filter = ThreadFilter(userId=self.facts.sidebar_user_id, **filters)

        async def call() -> Any:
            return await subject.layer.list_threads(pagination, thread_filter)

        return call

    async def calls(self, subject: Subject) -> dict[str, Callable[[], Awaitable[Any]]]:
        """Return the calls by operation key; the next page needs the first's cursor."""
        first_page = await self.sidebar(subject)()
        cursor = first_page.pageInfo.endCursor
        long_thread = self.facts.long_thread_id

        async def get_thread() -> Any:
            return await subject.layer.get_thread(long_thread)

        return {
            "sidebar_first": self.sidebar(subject),
            "sidebar_next": self.page(subject, cursor),
            "search": self.sidebar(subject, search=SEARCH_TERM),
            "thumbs_down": self.sidebar(subject, feedback=0),
            "get_thread": get_thread,
        }
