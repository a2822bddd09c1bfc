"""A data layer that remembers every write Chainlit started and how it ended.

Chainlit fires most of its writes as ``asyncio.create_task(...)`` and never
looks at the result, so a failed write would vanish without a trace. The
load and fault tests register this subclass as Chainlit's data layer: each
write is logged when it starts and when it ends, with its error if it raised,
so that a test can wait for all of them and check every single outcome.

A small random delay before each write scrambles the order in which writes
reach the database, the way a busy event loop and a pool under pressure do,
so that updates landing before their creates happen in every run.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from chainlit.element import Element
from chainlit.step import StepDict
from chainlit.types import Feedback

from yonca.datalayer import YoncaDataLayer

T = TypeVar("T")


@dataclass
class Outcome:
    """One write: what it was, on which row, and how it ended."""

    kind: str
    key: str
    started: int
    finished: int | None = None
    error: BaseException | None = None
    payload: Any = None

    @property
    def succeeded(self) -> bool:
        return self.finished is not None and self.error is None


@dataclass
class WriteLog:
    outcomes: list[Outcome] = field(default_factory=list)
    in_flight: Counter[str] = field(default_factory=Counter)
    total_in_flight: int = 0
    clock: itertools.count[int] = field(default_factory=itertools.count)

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.finished is not None and o.error]

    def unfinished(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.finished is None]


class RecordingDataLayer(YoncaDataLayer):
    """``YoncaDataLayer`` with every write logged in ``self.writes``.

    The write methods are plain functions returning the coroutine, so that a
    write is logged the moment Chainlit calls the method, before the task it
    creates has had a chance to run: ``settle`` then never misses one.
    """

    def __init__(self, *args: Any, jitter_seconds: float = 0.0, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.writes = WriteLog()
        self.jitter_seconds = jitter_seconds
        self._waiters: defaultdict[str | None, list[asyncio.Future[None]]] = (
            defaultdict(list)
        )

    async def settle(self, key: str | None = None) -> None:
        """Wait until the writes started so far (on ``key``, or all) ended."""
        while self._busy(key):
            waiter = asyncio.get_running_loop().create_future()
            self._waiters[key].append(waiter)
            await waiter

    def _busy(self, key: str | None) -> bool:
        if key is None:
            return self.writes.total_in_flight > 0
        return self.writes.in_flight[key] > 0

    def _wake(self, key: str) -> None:
        for waiting_on in (key, None):
            if self._busy(waiting_on):
                continue
            for waiter in self._waiters.pop(waiting_on, []):
                if not waiter.done():
                    waiter.set_result(None)

    def _record(
        self, kind: str, key: str, write: Coroutine[Any, Any, T], payload: Any = None
    ) -> Coroutine[Any, Any, T]:
        outcome = Outcome(kind, key, next(self.writes.clock), payload=payload)
        self.writes.outcomes.append(outcome)
        self.writes.in_flight[key] += 1
        self.writes.total_in_flight += 1
        return self._run(outcome, write)

    async def _run(self, outcome: Outcome, write: Coroutine[Any, Any, T]) -> T:
        try:
            if self.jitter_seconds:
                await asyncio.sleep(random.uniform(0, self.jitter_seconds))
            return await write
        except BaseException as exc:
            outcome.error = exc
            raise
        finally:
            outcome.finished = next(self.writes.clock)
            self.writes.in_flight[outcome.key] -= 1
            self.writes.total_in_flight -= 1
            self._wake(outcome.key)

    def create_step(  # type: ignore[override]
        self, step_dict: StepDict
    ) -> Coroutine[Any, Any, None]:
        write = super().create_step(step_dict)
        return self._record("create_step", step_dict["id"], write, dict(step_dict))

    def update_step(  # type: ignore[override]
        self, step_dict: StepDict
    ) -> Coroutine[Any, Any, None]:
        write = super().update_step(step_dict)
        return self._record("update_step", step_dict["id"], write, dict(step_dict))

    def create_element(  # type: ignore[override]
        self, element: Element
    ) -> Coroutine[Any, Any, None]:
        write = super().create_element(element)
        return self._record("create_element", element.id, write, element)

    def update_thread(  # type: ignore[override]
        self, thread_id: str, *args: Any, **kwargs: Any
    ) -> Coroutine[Any, Any, None]:
        write = super().update_thread(thread_id, *args, **kwargs)
        return self._record("update_thread", thread_id, write, kwargs)

    def upsert_feedback(  # type: ignore[override]
        self, feedback: Feedback
    ) -> Coroutine[Any, Any, str]:
        write = super().upsert_feedback(feedback)
        return self._record("upsert_feedback", feedback.forId, write, feedback)
