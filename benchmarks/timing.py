"""Timing calls and summarising samples: median and the 10th–90th percentiles.

Each operation is called untimed first by the caller (warm caches, prepared
statements, pool connections), then timed ``repeat`` times, the
implementations taking turns. A slow implementation stops early once it has
spent its time budget and has at least ``MIN_SAMPLES`` samples; the result
says so.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

MIN_SAMPLES = 3
Call = Callable[[], Awaitable[Any]]


@dataclass
class Timing:
    """Samples of one operation on one implementation, in seconds."""

    samples: list[float] = field(default_factory=list)
    # CPU time of this process (all its threads) during each sample: for
    # SQLite that includes the database's own work, for PostgreSQL only
    # the client's.
    cpu_samples: list[float] = field(default_factory=list)
    capped: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p10(self) -> float:
        return self._deciles()[0]

    @property
    def p90(self) -> float:
        return self._deciles()[-1]

    def _deciles(self) -> list[float]:
        if len(self.samples) < 2:
            return [self.samples[0]] * 9
        return statistics.quantiles(self.samples, n=10, method="inclusive")

    def to_dict(self) -> dict[str, Any]:
        return {
            "median_ms": self.median * 1000,
            "p10_ms": self.p10 * 1000,
            "p90_ms": self.p90 * 1000,
            "cpu_median_ms": statistics.median(self.cpu_samples) * 1000
            if self.cpu_samples
            else None,
            "samples": len(self.samples),
            "capped": self.capped,
            "samples_ms": [round(sample * 1000, 4) for sample in self.samples],
        }


async def time_interleaved(
    calls: dict[str, Call],
    *,
    repeat: int,
    budget_seconds: float,
    before_each: Callable[[str], None] | None = None,
) -> dict[str, tuple[Timing, Any]]:
    """Time several implementations of one operation, taking turns.

    Each round calls every implementation once, starting with a different
    one each time, so that whatever else the machine does meanwhile falls
    on all of them alike. An implementation drops out of the rounds once it
    has spent ``budget_seconds`` and has ``MIN_SAMPLES`` samples. The caller
    warms everything up first. Returns each implementation's samples and the
    result of its last call.
    """
    timings = {name: Timing() for name in calls}
    results: dict[str, Any] = dict.fromkeys(calls)
    spent = dict.fromkeys(calls, 0.0)
    names = list(calls)
    for round_number in range(repeat):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            timing = timings[name]
            if spent[name] > budget_seconds and len(timing.samples) >= MIN_SAMPLES:
                timing.capped = True
                continue
            if before_each is not None:
                before_each(name)
            started, cpu_started = time.perf_counter(), time.process_time()
            results[name] = await calls[name]()
            elapsed = time.perf_counter() - started
            timing.samples.append(elapsed)
            timing.cpu_samples.append(time.process_time() - cpu_started)
            spent[name] += elapsed
    return {name: (timings[name], results[name]) for name in calls}


async def peak_memory(call: Call) -> int:
    """Bytes of Python memory ``call`` holds at its peak, above what it started with."""
    await call()
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        await call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return max(peak - baseline, 0)
