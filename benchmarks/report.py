"""Showing a run: a table per database, the targets, and the files on disk.

The terminal gets rich tables; ``benchmarks/results/`` gets the whole run as
JSON (every sample), the same tables as Markdown for the README, and the
chart. Times are medians with the 10th–90th percentile range; ratios are
Yonca's median over the other implementation's, so below 1 means Yonca is
faster.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.chart import write_sidebar_chart
from benchmarks.reads import READ_OPERATIONS
from benchmarks.runner import RunResults
from benchmarks.targets import TargetResult

logger = logging.getLogger(__name__)

IMPLEMENTATION_TITLES = {"yonca": "Yonca", "stock": "stock", "raw": "raw SQL"}
DIALECT_TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
COLUMNS = (
    "operation",
    "threads",
    "Yonca",
    "stock",
    "raw SQL",
    "ours/stock",
    "ours/raw",
    "answers",
)


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]


def _time(measurement: dict[str, Any] | None) -> str:
    if measurement is None:
        return "–"
    median, low, high = (
        measurement["median_ms"],
        measurement["p10_ms"],
        measurement["p90_ms"],
    )
    capped = "*" if measurement.get("capped") else ""
    return f"{_ms(median)} ({_ms(low)}–{_ms(high)}){capped}"


def _ms(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(ours: float | None, other: float | None) -> str:
    if ours is None or not other:
        return "–"
    ratio = ours / other
    return f"{ratio:.3f}" if ratio < 0.1 else f"{ratio:.2f}"


def _answers(by_implementation: dict[str, Any]) -> str:
    wrong = [
        IMPLEMENTATION_TITLES[name]
        for name, measurement in by_implementation.items()
        if not measurement.get("correct", True)
    ]
    return "all ✓" if not wrong else "✗ " + ", ".join(wrong)


def _median(measurements: dict[str, Any], name: str) -> float | None:
    measurement = measurements.get(name)
    return None if measurement is None else measurement["median_ms"]


def dialect_rows(results: RunResults, dialect: str) -> list[Row]:
    """The rows of one database's table, reads first, then writes and memory."""
    rows: list[Row] = []
    by_size = results.reads.get(dialect, {})
    for operation in READ_OPERATIONS:
        for size in sorted(by_size):
            measurements = by_size[size].get(operation.key, {})
            ours = _median(measurements, "yonca")
            rows.append(
                Row(
                    (
                        operation.title,
                        f"{size:,}",
                        _time(measurements.get("yonca")),
                        _time(measurements.get("stock")),
                        _time(measurements.get("raw")),
                        _ratio(ours, _median(measurements, "stock")),
                        _ratio(ours, _median(measurements, "raw")),
                        _answers(measurements),
                    )
                )
            )
    rows += _growth_rows(results, dialect)
    rows += _write_rows(results, dialect)
    rows += _memory_rows(results, dialect)
    return rows


def _growth_rows(results: RunResults, dialect: str) -> list[Row]:
    growth = results.growth.get(dialect)
    if not growth:
        return []
    small, large = growth["sizes"]

    def ratio(name: str) -> str:
        if name not in growth:
            return "–"
        measured = growth[name]
        return f"{measured['ratio']:.2f}× (CPU {measured['cpu_ratio']:.2f}×)"

    return [
        Row(
            (
                "sidebar growth, timed in turns",
                f"{large:,} ÷ {small:,}",
                ratio("yonca"),
                ratio("stock"),
                ratio("raw"),
                "",
                "",
                "",
            )
        )
    ]


def _write_rows(results: RunResults, dialect: str) -> list[Row]:
    writes = results.writes.get(dialect)
    if not writes:
        return []
    size = f"{writes['size']:,}"
    exchange = writes["exchange"]
    sessions = writes["sessions"]
    ours = _median(exchange, "yonca")

    def trips(name: str) -> str:
        return str(exchange[name]["round_trips_total"]) if name in exchange else "–"

    def rate(name: str) -> str:
        if name not in sessions:
            return "–"
        outcome = sessions[name]
        lost = f", {outcome['lost']} lost" if outcome["lost"] else ""
        return f"{outcome['exchanges_per_second']:.0f}/s{lost}"

    def rate_ratio(name: str) -> str:
        if "yonca" not in sessions or name not in sessions:
            return "–"
        other = sessions[name]["exchanges_per_second"]
        ours_rate = sessions["yonca"]["exchanges_per_second"]
        return f"{ours_rate / other:.2f}" if other else "–"

    def whole(name: str) -> bool:
        return exchange[name]["persisted"] == exchange[name]["exchanges"]

    persisted = [IMPLEMENTATION_TITLES[name] for name in exchange if not whole(name)]
    count = sessions.get("yonca", {}).get("sessions", 0)
    return [
        Row(
            (
                "persist one exchange",
                size,
                _time(exchange.get("yonca")),
                _time(exchange.get("stock")),
                _time(exchange.get("raw")),
                _ratio(ours, _median(exchange, "stock")),
                _ratio(ours, _median(exchange, "raw")),
                "all ✓" if not persisted else "✗ " + ", ".join(persisted),
            )
        ),
        Row(
            (
                "round trips per exchange",
                size,
                trips("yonca"),
                trips("stock"),
                trips("raw"),
                "",
                "",
                "",
            )
        ),
        Row(
            (
                f"{count} sessions, throughput",
                size,
                rate("yonca"),
                rate("stock"),
                rate("raw"),
                rate_ratio("stock"),
                rate_ratio("raw"),
                "",
            )
        ),
    ]


def _memory_rows(results: RunResults, dialect: str) -> list[Row]:
    rows = []
    for size, by_name in sorted(results.memory.get(dialect, {}).items()):

        def kib(name: str, values: dict[str, int] = by_name) -> str:
            return f"{values[name] / 1024:,.0f} KiB" if name in values else "–"

        ours = by_name.get("yonca")
        rows.append(
            Row(
                (
                    "sidebar peak memory",
                    f"{size:,}",
                    kib("yonca"),
                    kib("stock"),
                    kib("raw"),
                    _ratio(ours, by_name.get("stock")),
                    _ratio(ours, by_name.get("raw")),
                    "",
                )
            )
        )
    return rows


ROUND_TRIP_COLUMNS = ("call", "Yonca", "stock", "raw SQL")


def round_trip_rows(results: RunResults, dialect: str) -> list[Row]:
    """Where the time goes, call by call: round trips and this process's CPU.

    Reads are taken at the largest size. CPU is the median over the timed
    samples; an exchange's four calls have their round trips counted one by
    one and their CPU measured together.
    """
    rows: list[Row] = []
    by_size = results.reads.get(dialect, {})
    if by_size:
        largest = by_size[max(by_size)]
        for operation in READ_OPERATIONS:
            measured = largest.get(operation.key, {})
            cells = {
                name: _trips(m["round_trips"], m.get("cpu_median_ms"))
                for name, m in measured.items()
            }
            rows.append(Row((operation.title, *_by_implementation(cells))))

    writes: dict[str, Any] = results.writes.get(dialect, {})
    exchange: dict[str, Any] = writes.get("exchange", {})
    first: dict[str, Any] = next(iter(exchange.values()), {})
    for call in first.get("round_trips", {}):
        cells = {
            name: _trips(m["round_trips"][call], None) for name, m in exchange.items()
        }
        rows.append(Row((f"exchange: {call}", *_by_implementation(cells))))
    cells = {
        name: f"{m['round_trips_total']} RT · {m['cpu_median_ms']:.2f} ms CPU"
        for name, m in exchange.items()
    }
    if cells:
        rows.append(Row(("exchange, all four calls", *_by_implementation(cells))))
    sessions: dict[str, Any] = writes.get("sessions", {})
    cells = {
        name: f"{m['cpu_ms_per_exchange']:.2f} ms CPU" for name, m in sessions.items()
    }
    if cells:
        rows.append(Row(("sessions, per exchange", *_by_implementation(cells))))
    return rows


def _trips(log: dict[str, Any], cpu_ms: float | None) -> str:
    text = f"{log['total']} RT ({log['statements']} SQL)"
    return text if cpu_ms is None else f"{text} · {cpu_ms:.2f} ms CPU"


def _by_implementation(cells: dict[str, str]) -> tuple[str, ...]:
    return tuple(cells.get(name, "–") for name in IMPLEMENTATION_TITLES)


def environment_line(results: RunResults) -> str:
    environment = results.environment
    loads = [
        f"{environment[key][0]:.1f}"
        for key in ("load_average_start", "load_average_end")
        if key in environment
    ]
    parts = [
        environment.get("date", ""),
        f"{environment.get('cpus')} CPUs",
        f"Python {environment.get('python')}",
        f"Chainlit {environment.get('chainlit')}",
        f"SQLite {environment.get('sqlite')}",
    ]
    if "postgresql" in environment:
        parts.append(f"PostgreSQL {environment['postgresql']}")
    if loads:
        parts.append(f"load average {' → '.join(loads)}")
    parts.append(f"run took {results.seconds / 60:.1f} min")
    return ", ".join(parts)


def print_report(
    console: Console, results: RunResults, targets: list[TargetResult]
) -> None:
    console.print(environment_line(results))
    for dialect in results.reads:
        table = Table(
            title=f"{DIALECT_TITLES[dialect]}: median (p10–p90), ms",
            title_justify="left",
        )
        for column in COLUMNS:
            table.add_column(
                column, justify="left" if column == "operation" else "right"
            )
        for row in dialect_rows(results, dialect):
            table.add_row(*row.cells)
        console.print(table)

        trips = Table(
            title=f"{DIALECT_TITLES[dialect]}: where the time goes, per call",
            title_justify="left",
        )
        for column in ROUND_TRIP_COLUMNS:
            trips.add_column(column, justify="left" if column == "call" else "right")
        for row in round_trip_rows(results, dialect):
            trips.add_row(*row.cells)
        console.print(trips)

    table = Table(title="Targets", title_justify="left")
    for column in ("target", "database", "measured", "verdict"):
        table.add_column(column)
    for target in targets:
        table.add_row(
            target.target,
            DIALECT_TITLES[target.dialect],
            target.measured,
            _verdict(target),
        )
    console.print(table)
    console.print(_footnotes(results))


def _verdict(target: TargetResult) -> str:
    if target.passed is None:
        return "not measured"
    return "met" if target.passed else "MISSED"


def _footnotes(results: RunResults) -> str:
    notes = [
        "(*) stopped early: the implementation spent its time budget "
        f"({results.options['budget_seconds']:.0f} s per operation).",
        "Ratios are Yonca's median over the other's: below 1 means Yonca is faster; "
        "for throughput, above 1 means Yonca persists more.",
        "RT: round trips (statements plus BEGIN/COMMIT and pool pings) of one call; "
        "SQL: statements among them; CPU: this process's CPU time (median), which "
        "on SQLite includes the database's own work.",
    ]
    return "\n".join(notes)


def markdown(results: RunResults, targets: list[TargetResult]) -> str:
    """The same tables as Markdown, ready to paste into the README section."""
    lines: list[str] = [environment_line(results), ""]
    for dialect in results.reads:
        lines += [f"**{DIALECT_TITLES[dialect]}**: median (p10–p90), ms", ""]
        lines.append("| " + " | ".join(COLUMNS) + " |")
        lines.append(
            "|" + "|".join(["---"] + ["--:"] * (len(COLUMNS) - 2) + ["---"]) + "|"
        )
        for row in dialect_rows(results, dialect):
            lines.append("| " + " | ".join(cell or " " for cell in row.cells) + " |")
        lines += ["", f"**{DIALECT_TITLES[dialect]}**: where the time goes", ""]
        lines.append("| " + " | ".join(ROUND_TRIP_COLUMNS) + " |")
        lines.append("|---|--:|--:|--:|")
        for row in round_trip_rows(results, dialect):
            lines.append("| " + " | ".join(row.cells) + " |")
        lines.append("")
    lines += ["| target | database | measured | verdict |", "|---|---|---|---|"]
    for target in targets:
        lines.append(
            f"| {target.target} | {DIALECT_TITLES[target.dialect]} | "
            f"{target.measured} | {_verdict(target)} |"
        )
    lines += ["", _footnotes(results).replace("\n", "\n\n")]
    return "\n".join(lines) + "\n"


def write_results(
    output_dir: Path, results: RunResults, targets: list[TargetResult]
) -> list[Path]:
    """Write the JSON, the Markdown tables and the chart; return their paths."""
    output_dir.mkdir(parents=True, exist_ok=True)
    document = {**results.to_dict(), "targets": [t.to_dict() for t in targets]}
    json_path = output_dir / "latest.json"
    json_path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    markdown_path = output_dir / "latest.md"
    markdown_path.write_text(markdown(results, targets))
    chart_path = write_sidebar_chart(results, output_dir / "sidebar-first-page.png")
    return [json_path, markdown_path, chart_path]
