"""What a benchmark run does: sizes, repetitions, databases and where files go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.databases import DEFAULT_PREFIX
from benchmarks.dataset import DatasetSpec

BENCHMARKS_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class RunOptions:
    """What to run; the defaults are the README's run (about 15 minutes here)."""

    sizes: tuple[int, ...] = (1_000, 10_000, 100_000)
    repeat: int = 15
    databases: tuple[str, ...] = ("sqlite", "postgresql")
    database_url: str | None = None
    implementations: tuple[str, ...] = ("yonca", "stock", "raw")
    sessions: int = 50
    exchanges_per_session: int = 4
    long_thread_steps: int = 1_000
    # Seconds one implementation may spend timing one operation; the stock
    # layer reaches it at 10k threads and stops after MIN_SAMPLES samples.
    budget_seconds: float = 5.0
    data_dir: Path = BENCHMARKS_DIR / "data"
    output_dir: Path = BENCHMARKS_DIR / "results"
    keep_data: bool = False
    # Names the databases; a test run picks its own so runs never collide.
    database_prefix: str = DEFAULT_PREFIX
    profile: bool = False
    progress: bool | None = None

    def spec(self, size: int) -> DatasetSpec:
        return DatasetSpec(
            threads=size,
            long_thread_steps=self.long_thread_steps,
            session_threads=self.sessions,
        )
