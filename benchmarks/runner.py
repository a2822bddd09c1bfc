"""One benchmark run: build each data set, then measure every implementation.

For each size the data sets of every dialect are built together from one
generator; then, dialect by dialect, the three implementations are opened
on their own databases and measured in the same process (``measure``):
the read operations and the memory of a sidebar request at every size, the
writes at the largest size only. Last, the first sidebar page is timed at
the smallest and the largest size in turns, so that its growth with history
is measured under the same conditions. The databases of a size are dropped
once they are no longer needed, unless asked to keep them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import chainlit

from benchmarks.databases import PostgresServer, SqliteFiles
from benchmarks.dataset import DatasetSpec
from benchmarks.loading import LoadedDataset, build_datasets, drop_datasets
from benchmarks.measure import (
    measure_growth,
    measure_memory,
    measure_reads,
    measure_writes,
)
from benchmarks.options import RunOptions
from benchmarks.subjects import Subject, enter_chainlit_context, open_subjects

logger = logging.getLogger(__name__)


@dataclass
class RunResults:
    """Everything one run measured, as plain data for the report and JSON."""

    options: dict[str, Any]
    environment: dict[str, Any]
    datasets: list[dict[str, Any]] = field(default_factory=list)
    # dialect -> size -> operation -> implementation -> measurement
    reads: dict[str, dict[int, dict[str, dict[str, Any]]]] = field(default_factory=dict)
    # dialect -> size -> implementation -> bytes
    memory: dict[str, dict[int, dict[str, int]]] = field(default_factory=dict)
    # dialect -> {"size": n, "exchange": {...}, "sessions": {...}}
    writes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # dialect -> the first sidebar page at the smallest and largest size,
    # timed in turns: {"sizes": [small, large], implementation: {...}}
    growth: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


async def run_benchmarks(
    options: RunOptions, postgres: PostgresServer | None
) -> RunResults:
    """Run everything ``options`` asks for; PostgreSQL comes from ``postgres``.

    The run gets a task of its own so that the Chainlit context it enters
    stays inside it and never reaches the caller's later calls.
    """
    return await asyncio.create_task(_run(options, postgres))


async def _run(options: RunOptions, postgres: PostgresServer | None) -> RunResults:
    started = time.perf_counter()
    results = RunResults(
        options=_describe_options(options),
        environment=await _environment(postgres),
    )
    sqlite_files = SqliteFiles(options.data_dir / "sqlite")
    enter_chainlit_context()

    # The smallest data set stays until the largest is measured, so that
    # the sidebar's growth with history can be timed with both side by side.
    smallest: LoadedDataset | None = None
    try:
        for size in sorted(options.sizes):
            dataset = await _build(options, size, postgres, sqlite_files)
            results.datasets.append(
                _describe_dataset(dataset.spec, dataset.load_seconds)
            )
            try:
                for dialect in options.databases:
                    await _measure_dialect(results, options, dialect, dataset)
                    if smallest is not None and size == max(options.sizes):
                        results.growth[dialect] = await _measure_growth(
                            options, dialect, smallest, dataset
                        )
            finally:
                if smallest is None and len(options.sizes) > 1:
                    smallest = dataset
                else:
                    await _drop(options, dataset, postgres, sqlite_files)
    finally:
        if smallest is not None:
            await _drop(options, smallest, postgres, sqlite_files)

    results.seconds = time.perf_counter() - started
    results.environment["load_average_end"] = os.getloadavg()
    return results


async def _build(
    options: RunOptions,
    size: int,
    postgres: PostgresServer | None,
    sqlite_files: SqliteFiles,
) -> LoadedDataset:
    return await build_datasets(
        options.spec(size),
        options.databases,
        postgres,
        sqlite_files,
        prefix=options.database_prefix,
        progress=options.progress,
    )


async def _drop(
    options: RunOptions,
    dataset: LoadedDataset,
    postgres: PostgresServer | None,
    sqlite_files: SqliteFiles,
) -> None:
    if not options.keep_data:
        await drop_datasets(
            dataset.spec, postgres, sqlite_files, prefix=options.database_prefix
        )


async def _measure_dialect(
    results: RunResults, options: RunOptions, dialect: str, dataset: LoadedDataset
) -> None:
    size = dataset.spec.threads
    logger.info("measuring %s at %d threads", dialect, size)
    label = f"{dialect}-{size}"
    subjects = await _open(options, dataset, dialect, options.implementations)
    try:
        facts = dataset.facts
        reads = await measure_reads(options, facts, subjects, label)
        results.reads.setdefault(dialect, {})[size] = reads
        memory = await measure_memory(facts, subjects)
        results.memory.setdefault(dialect, {})[size] = memory
        if size == max(options.sizes):
            writes = await measure_writes(options, facts, subjects, label)
            results.writes[dialect] = {"size": size, **writes}
    finally:
        await _close(subjects)


async def _measure_growth(
    options: RunOptions, dialect: str, small: LoadedDataset, large: LoadedDataset
) -> dict[str, Any]:
    # The stock layer is left out: at the largest size one of its sidebar
    # calls takes seconds, and its growth is plain from the main table.
    implementations = tuple(name for name in options.implementations if name != "stock")
    logger.info("timing %s's sidebar at both sizes together", dialect)
    small_subjects = await _open(options, small, dialect, implementations)
    try:
        large_subjects = await _open(options, large, dialect, implementations)
        try:
            return await measure_growth(
                options,
                (small.facts, small_subjects),
                (large.facts, large_subjects),
            )
        finally:
            await _close(large_subjects)
    finally:
        await _close(small_subjects)


async def _open(
    options: RunOptions,
    dataset: LoadedDataset,
    dialect: str,
    implementations: tuple[str, ...],
) -> list[Subject]:
    files_dir = options.data_dir / "files"
    return await open_subjects(dataset.urls[dialect], files_dir, implementations)


async def _close(subjects: list[Subject]) -> None:
    for subject in subjects:
        await subject.close()


def _describe_options(options: RunOptions) -> dict[str, Any]:
    described = asdict(options)
    described["data_dir"] = str(options.data_dir)
    described["output_dir"] = str(options.output_dir)
    if options.database_url:
        described["database_url"] = "(given)"
    return described


def _describe_dataset(spec: DatasetSpec, load_seconds: float) -> dict[str, Any]:
    return {
        "threads": spec.threads,
        "all_threads": spec.total_threads,
        "all_steps": spec.total_steps,
        "other_users": spec.other_users,
        "long_thread_steps": spec.long_thread_steps,
        "load_seconds": load_seconds,
    }


async def _environment(postgres: PostgresServer | None) -> dict[str, Any]:
    environment: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "chainlit": chainlit.__version__,
        "sqlite": sqlite3.sqlite_version,
        # Other work on the machine shows up in every timing; the load
        # average at the start and end of the run says how much there was.
        "load_average_start": os.getloadavg(),
    }
    if postgres is not None:
        environment["postgresql"] = await postgres.version()
    return environment
