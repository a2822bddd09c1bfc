"""The chart: first sidebar page time against the user's thread count.

One panel per database, one line per implementation, log scales on both
axes (the stock layer is hundreds of times slower), the 10th–90th
percentile range as error bars.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from benchmarks.runner import RunResults

STYLES = {
    "yonca": ("Yonca", "tab:green", "o"),
    "stock": ("Chainlit SQLAlchemyDataLayer", "tab:red", "s"),
    "raw": ("raw SQL", "tab:blue", "^"),
}
DIALECT_TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def write_sidebar_chart(results: RunResults, path: Path) -> Path:
    dialects = list(results.reads)
    figure, axes = plt.subplots(
        1,
        max(len(dialects), 1),
        figsize=(6 * max(len(dialects), 1), 4.5),
        squeeze=False,
    )
    for axis, dialect in zip(axes[0], dialects, strict=False):
        by_size = results.reads[dialect]
        sizes = sorted(by_size)
        for name, (label, colour, marker) in STYLES.items():
            points = [
                (size, by_size[size]["sidebar_first"][name])
                for size in sizes
                if name in by_size[size].get("sidebar_first", {})
            ]
            if not points:
                continue
            xs = [size for size, _ in points]
            medians = [m["median_ms"] for _, m in points]
            below = [m["median_ms"] - m["p10_ms"] for _, m in points]
            above = [m["p90_ms"] - m["median_ms"] for _, m in points]
            axis.errorbar(
                xs,
                medians,
                yerr=[below, above],
                label=label,
                color=colour,
                marker=marker,
                capsize=3,
            )
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("threads of the user")
        axis.set_ylabel("first sidebar page, ms (median, p10–p90)")
        axis.set_title(DIALECT_TITLES.get(dialect, dialect))
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
