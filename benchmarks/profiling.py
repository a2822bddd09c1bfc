"""Where the time goes: cProfile of an operation, written as text.

Asked for with ``--profile``; the runner profiles Yonca's calls only, since
those are the ones the project can change.
"""

from __future__ import annotations

import cProfile
import io
import logging
import pstats
from pathlib import Path

from benchmarks.timing import Call

logger = logging.getLogger(__name__)

PROFILED_CALLS = 20
LISTED_FUNCTIONS = 35


async def profile_calls(call: Call, path: Path, calls: int = PROFILED_CALLS) -> None:
    """Profile ``calls`` runs of ``call`` and write the top functions to ``path``.

    The profiler sees everything the event loop runs meanwhile; nothing else
    runs during a benchmark, so that is the call and its driver.
    """
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        for _ in range(calls):
            await call()
    finally:
        profiler.disable()

    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(LISTED_FUNCTIONS)
    text.write("\n\nBy own time:\n")
    stats.sort_stats("tottime").print_stats(LISTED_FUNCTIONS)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{calls} calls\n{text.getvalue()}")
    logger.info("profile written to %s", path)
