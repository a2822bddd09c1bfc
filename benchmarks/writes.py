"""Persisting exchanges: what one chat turn writes, alone and 50 at a time.

An exchange is what Chainlit's server writes for one turn of a chat:

1. the user's message (``create_step``),
2. the assistant's message sent empty before its tokens stream in
   (``create_step``),
3. the same message with its final text (``update_step``),
4. the user's 👍/👎 on the answer (``upsert_feedback``).

The step dicts are shaped exactly as ``cl.Message.to_dict()`` shapes them
in Chainlit 2.12.0, timestamps from Chainlit's own ``utc_now``. After the
writes each implementation reads its threads back, so an implementation
that reports success for a row it did not write is caught.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from chainlit.types import Feedback
from chainlit.utils import utc_now

from benchmarks.dataset import ASSISTANT_NAME
from benchmarks.subjects import Subject

logger = logging.getLogger(__name__)

QUESTION = "Sabah şaxta gözlənilir, fidanları necə qoruyum?"
ANSWER = (
    "Axşam fidanları sulayın, nəm torpaq istiliyi daha yaxşı saxlayır; sonra "
    "üstünü agrolifl ilə örtün və səhər günəş çıxandan sonra açın."
)


@dataclass(frozen=True)
class Exchange:
    """One chat turn's ids; the dicts are built fresh for every call."""

    thread_id: str
    user_identifier: str
    user_step_id: str
    assistant_step_id: str
    thumbs_up: bool

    @classmethod
    def new(cls, thread_id: str, user_identifier: str, number: int) -> Exchange:
        return cls(
            thread_id,
            user_identifier,
            str(uuid.uuid4()),
            str(uuid.uuid4()),
            thumbs_up=number % 2 == 0,
        )

    def message(
        self, step_id: str, author: str, kind: str, text: str
    ) -> dict[str, Any]:
        now = utc_now()
        return {
            "id": step_id,
            "threadId": self.thread_id,
            "parentId": None,
            "createdAt": now,
            "command": None,
            "modes": None,
            "start": now,
            "end": now,
            "output": text,
            "name": author,
            "type": kind,
            "language": None,
            "streaming": False,
            "isError": False,
            "waitForAnswer": False,
            "metadata": {},
            "tags": None,
        }

    def feedback(self) -> Feedback:
        return Feedback(
            forId=self.assistant_step_id,
            value=1 if self.thumbs_up else 0,
            threadId=self.thread_id,
        )


def exchange_calls(
    subject: Subject, exchange: Exchange
) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    """The four calls of one exchange, named, in the order Chainlit makes them."""
    layer = subject.layer
    question = exchange.message(
        exchange.user_step_id, exchange.user_identifier, "user_message", QUESTION
    )
    answer = exchange.message(
        exchange.assistant_step_id, ASSISTANT_NAME, "assistant_message", ""
    )

    # Message.update() sends the whole dict again, only the text changed.
    final = {**answer, "output": ANSWER}
    return [
        ("create_step (user)", lambda: layer.create_step(dict(question))),
        ("create_step (assistant, empty)", lambda: layer.create_step(dict(answer))),
        ("update_step (final text)", lambda: layer.update_step(dict(final))),
        ("upsert_feedback", lambda: layer.upsert_feedback(exchange.feedback())),
    ]


async def persist_exchange(subject: Subject, exchange: Exchange) -> None:
    for _, call in exchange_calls(subject, exchange):
        await call()


async def count_persisted(subject: Subject, exchanges: list[Exchange]) -> int:
    """How many ``exchanges`` can be read back whole: both steps, final text, vote."""
    by_thread: dict[str, list[Exchange]] = {}
    for exchange in exchanges:
        by_thread.setdefault(exchange.thread_id, []).append(exchange)

    persisted = 0
    for thread_id, expected in by_thread.items():
        thread = await subject.layer.get_thread(thread_id)
        steps = {str(step["id"]): step for step in (thread or {}).get("steps", [])}
        persisted += sum(1 for exchange in expected if _is_whole(exchange, steps))
    return persisted


def _is_whole(exchange: Exchange, steps: dict[str, Any]) -> bool:
    question = steps.get(exchange.user_step_id)
    answer = steps.get(exchange.assistant_step_id)
    if question is None or answer is None:
        return False
    feedback = answer.get("feedback") or {}
    return (
        question.get("output") == QUESTION
        and answer.get("output") == ANSWER
        and feedback.get("value") == (1 if exchange.thumbs_up else 0)
    )


@dataclass
class SessionsResult:
    """Many sessions persisting exchanges at once."""

    sessions: int
    exchanges: int
    seconds: float
    # This process's CPU time meanwhile: with one event loop for all the
    # sessions, a layer that needs more CPU per exchange saturates sooner.
    cpu_seconds: float
    failed: int
    persisted: int
    errors_logged: int
    first_error: str | None

    @property
    def per_second(self) -> float:
        return self.persisted / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "sessions": self.sessions,
            "exchanges": self.exchanges,
            "seconds": self.seconds,
            "cpu_ms_per_exchange": self.cpu_seconds * 1000 / max(self.exchanges, 1),
            "failed": self.failed,
            "persisted": self.persisted,
            "lost": self.exchanges - self.persisted,
            "errors_logged": self.errors_logged,
            "first_error": self.first_error,
            "exchanges_per_second": self.per_second,
        }


async def run_sessions(
    subject: Subject, threads: list[tuple[str, str]], exchanges_per_session: int
) -> SessionsResult:
    """Each thread gets a session persisting exchanges back to back, all at once."""
    planned = [
        [
            Exchange.new(thread_id, user, number)
            for number in range(exchanges_per_session)
        ]
        for thread_id, user in threads
    ]

    failures: list[str] = []

    async def session(exchanges: list[Exchange]) -> None:
        for exchange in exchanges:
            try:
                await persist_exchange(subject, exchange)
            except Exception as exc:
                # Counted and reported with the results; one line per failure
                # would bury them.
                logger.debug("%s: an exchange failed: %s", subject.name, exc)
                failures.append(f"{type(exc).__name__}: {exc}"[:160])

    with counting_logged_errors() as logged:
        logged.attribute_to(subject.name)
        started, cpu_started = time.perf_counter(), time.process_time()
        await asyncio.gather(*(session(exchanges) for exchanges in planned))
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started

    every_exchange = [exchange for exchanges in planned for exchange in exchanges]
    persisted = await count_persisted(subject, every_exchange)
    return SessionsResult(
        sessions=len(threads),
        exchanges=len(every_exchange),
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        failed=len(failures),
        persisted=persisted,
        errors_logged=logged.counts.get(subject.name, 0),
        first_error=failures[0] if failures else logged.first.get(subject.name),
    )


class ErrorLog(logging.Handler):
    """Counts warnings and errors, per implementation, while installed."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.current: str | None = None
        self.counts: dict[str, int] = {}
        self.first: dict[str, str] = {}

    def attribute_to(self, name: str | None) -> None:
        """Charge what is logged from now on to implementation ``name``."""
        self.current = name

    def emit(self, record: logging.LogRecord) -> None:
        name = self.current or "(none)"
        self.counts[name] = self.counts.get(name, 0) + 1
        self.first.setdefault(name, record.getMessage().splitlines()[0][:160])


@contextmanager
def counting_logged_errors() -> Iterator[ErrorLog]:
    """Count warnings and errors logged by Chainlit and Yonca meanwhile.

    Chainlit's stock layer logs a failed statement as a warning and carries
    on; the count is how its lost writes show up.
    """
    handler = ErrorLog()
    loggers = [logging.getLogger(name) for name in ("chainlit", "yonca")]
    propagation = [each.propagate for each in loggers]
    for each in loggers:
        each.addHandler(handler)
        # Counted, not printed: fifty sessions of swallowed errors would bury
        # the results; the count and the first message go into them instead.
        each.propagate = False
    try:
        yield handler
    finally:
        for each, propagate in zip(loggers, propagation, strict=True):
            each.removeHandler(handler)
            each.propagate = propagate
