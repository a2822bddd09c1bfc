"""Measuring the three implementations side by side on one data set.

Reads: each operation is first called once per implementation with its
round trips counted (that call also warms caches and prepared statements),
then timed with the implementations taking turns, and its answer checked
against the generator's. Memory: the peak of one sidebar request. Writes:
exchanges into the long thread, timed in turns, then counted call by call
and read back; then many sessions at once, one implementation at a time.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from benchmarks.dataset import DatasetFacts
from benchmarks.options import RunOptions
from benchmarks.profiling import profile_calls
from benchmarks.reads import READ_OPERATIONS, ReadCalls, ReadOperation
from benchmarks.subjects import Subject
from benchmarks.timing import Call, peak_memory, time_interleaved
from benchmarks.writes import (
    Exchange,
    count_persisted,
    counting_logged_errors,
    exchange_calls,
    persist_exchange,
    run_sessions,
)

logger = logging.getLogger(__name__)


def answer_digest(ids: list[str]) -> str:
    """A short fingerprint of an answer, so runs can compare answers cheaply."""
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]


async def measure_reads(
    options: RunOptions, facts: DatasetFacts, subjects: list[Subject], label: str
) -> dict[str, dict[str, Any]]:
    """Return operation -> implementation -> timing, round trips and answer."""
    read_calls = ReadCalls(facts)
    calls = {subject.name: await read_calls.calls(subject) for subject in subjects}
    measured: dict[str, dict[str, Any]] = {}
    for operation in READ_OPERATIONS:
        per_subject = {name: by_key[operation.key] for name, by_key in calls.items()}
        measured[operation.key] = await _measure_read(
            options, facts, subjects, operation, per_subject
        )
        if options.profile and "yonca" in per_subject:
            await profile_calls(
                per_subject["yonca"],
                _profile_path(options.output_dir, f"{label}-{operation.key}"),
            )
    return measured


async def _measure_read(
    options: RunOptions,
    facts: DatasetFacts,
    subjects: list[Subject],
    operation: ReadOperation,
    calls: dict[str, Call],
) -> dict[str, Any]:
    round_trips = {}
    for subject in subjects:
        with subject.counter.measuring() as log:
            await calls[subject.name]()
        round_trips[subject.name] = log.summary()

    timed = await time_interleaved(
        calls, repeat=options.repeat, budget_seconds=options.budget_seconds
    )
    expected = operation.expected(facts)
    measured = {}
    for name, (timing, answer) in timed.items():
        got = operation.answer(answer)
        measured[name] = {
            **timing.to_dict(),
            "round_trips": round_trips[name],
            "correct": got == expected,
            "answer_digest": answer_digest(got),
            "answer_length": len(got),
            "expected_length": len(expected),
        }
    return measured


async def measure_memory(
    facts: DatasetFacts, subjects: list[Subject]
) -> dict[str, int]:
    """Peak Python memory of one first sidebar page, per implementation."""
    read_calls = ReadCalls(facts)
    return {
        subject.name: await peak_memory(read_calls.sidebar(subject))
        for subject in subjects
    }


async def measure_growth(
    options: RunOptions,
    small: tuple[DatasetFacts, list[Subject]],
    large: tuple[DatasetFacts, list[Subject]],
) -> dict[str, Any]:
    """Time the first sidebar page at two sizes in turns, per implementation.

    Timed apart, minutes apart, the two sizes see different loads on the
    machine; in turns, a ratio above 1 is the cost of history alone.
    """
    calls: dict[str, Call] = {}
    for facts, subjects in (small, large):
        read_calls = ReadCalls(facts)
        for subject in subjects:
            calls[f"{subject.name}@{facts.threads}"] = read_calls.sidebar(subject)
    for call in calls.values():
        await call()

    timed = await time_interleaved(
        calls, repeat=options.repeat, budget_seconds=options.budget_seconds
    )
    small_size, large_size = small[0].threads, large[0].threads
    growth: dict[str, Any] = {"sizes": [small_size, large_size]}
    for subject in small[1]:
        before = timed[f"{subject.name}@{small_size}"][0].to_dict()
        after = timed[f"{subject.name}@{large_size}"][0].to_dict()
        growth[subject.name] = {
            "small": before,
            "large": after,
            "ratio": after["median_ms"] / before["median_ms"],
            "cpu_ratio": after["cpu_median_ms"] / before["cpu_median_ms"],
        }
    return growth


async def measure_writes(
    options: RunOptions, facts: DatasetFacts, subjects: list[Subject], label: str
) -> dict[str, Any]:
    """Exchanges into the long thread, then sessions persisting at once."""
    exchange = await _measure_exchanges(options, facts, subjects)
    if options.profile and any(subject.name == "yonca" for subject in subjects):
        yonca = next(subject for subject in subjects if subject.name == "yonca")
        await profile_calls(
            _exchange_call(yonca, facts, []),
            _profile_path(options.output_dir, f"{label}-exchange"),
        )

    threads = facts.session_threads[: options.sessions]
    sessions = {}
    for subject in subjects:
        outcome = await run_sessions(subject, threads, options.exchanges_per_session)
        sessions[subject.name] = outcome.to_dict()
    return {"exchange": exchange, "sessions": sessions}


def _exchange_call(subject: Subject, facts: DatasetFacts, made: list[Exchange]) -> Call:
    async def call() -> None:
        exchange = Exchange.new(
            facts.long_thread_id, facts.sidebar_user_identifier, len(made)
        )
        made.append(exchange)
        await persist_exchange(subject, exchange)

    return call


async def _measure_exchanges(
    options: RunOptions, facts: DatasetFacts, subjects: list[Subject]
) -> dict[str, Any]:
    made: dict[str, list[Exchange]] = {subject.name: [] for subject in subjects}
    calls = {
        subject.name: _exchange_call(subject, facts, made[subject.name])
        for subject in subjects
    }
    with counting_logged_errors() as logged:
        for name, call in calls.items():
            logged.attribute_to(name)
            await call()
        timed = await time_interleaved(
            calls,
            repeat=options.repeat,
            budget_seconds=options.budget_seconds,
            before_each=logged.attribute_to,
        )

    measured = {}
    for subject in subjects:
        round_trips = await _count_exchange_round_trips(subject, facts)
        timing, _ = timed[subject.name]
        exchanges = made[subject.name]
        measured[subject.name] = {
            **timing.to_dict(),
            "round_trips": round_trips,
            "round_trips_total": sum(log["total"] for log in round_trips.values()),
            "exchanges": len(exchanges),
            "persisted": await count_persisted(subject, exchanges),
            "errors_logged": logged.counts.get(subject.name, 0),
            "first_error": logged.first.get(subject.name),
        }
    return measured


async def _count_exchange_round_trips(
    subject: Subject, facts: DatasetFacts
) -> dict[str, Any]:
    exchange = Exchange.new(facts.long_thread_id, facts.sidebar_user_identifier, 0)
    counted = {}
    for name, call in exchange_calls(subject, exchange):
        with subject.counter.measuring() as log:
            await call()
        counted[name] = log.summary()
    return counted


def _profile_path(output_dir: Path, name: str) -> Path:
    return output_dir / "profiles" / f"{name}.txt"
