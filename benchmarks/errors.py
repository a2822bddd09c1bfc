"""The error the benchmarks raise when they cannot run."""

from __future__ import annotations

from yonca.errors import YoncaError


class BenchmarkError(YoncaError):
    """The benchmark cannot run as asked; the message says what to change."""
