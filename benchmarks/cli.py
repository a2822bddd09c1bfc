"""``python -m benchmarks`` (``./run bench``): parse options, run, print, save.

The work is done by ``benchmarks.runner``; this module only turns arguments
into ``RunOptions``, starts PostgreSQL if needed, and shows the results.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from benchmarks.databases import ENV_VARIABLE, PostgresServer, postgres_server
from benchmarks.errors import BenchmarkError
from benchmarks.options import RunOptions
from yonca.errors import YoncaError

if TYPE_CHECKING:
    from benchmarks.runner import RunResults

DATABASES = ("sqlite", "postgresql")
IMPLEMENTATIONS = ("yonca", "stock", "raw")
DEFAULTS = RunOptions()

console = Console()
err_console = Console(stderr=True)
app = typer.Typer(add_completion=False)


def parse_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part.replace("_", "")) for part in text.split(",")}))
    except ValueError:
        raise BenchmarkError(
            f"--sizes takes thread counts separated by commas, such as "
            f"'1000,10000,100000', not {text!r}"
        ) from None
    if not sizes or sizes[0] < 1:
        raise BenchmarkError("--sizes needs at least one thread count above zero")
    return sizes


def parse_choices(text: str, option: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part))
    unknown = [part for part in chosen if part not in allowed]
    if unknown or not chosen:
        raise BenchmarkError(
            f"{option} takes {', '.join(allowed)} separated by commas, not {text!r}"
        )
    return chosen


@app.command()
def bench(
    sizes: Annotated[
        str, typer.Option(help="Thread counts of the sidebar user, comma-separated.")
    ] = ",".join(str(size) for size in DEFAULTS.sizes),
    repeat: Annotated[
        int, typer.Option(min=1, help="Timed calls per operation and implementation.")
    ] = DEFAULTS.repeat,
    databases: Annotated[
        str, typer.Option(help="Databases to run on: sqlite, postgresql.")
    ] = ",".join(DEFAULTS.databases),
    database_url: Annotated[
        str | None,
        typer.Option(
            help=f"PostgreSQL server to create the benchmark databases on; default "
            f"${ENV_VARIABLE}, else an embedded server (pgserver).",
            show_default=False,
        ),
    ] = None,
    implementations: Annotated[
        str, typer.Option(help="Implementations to time: yonca, stock, raw.")
    ] = ",".join(DEFAULTS.implementations),
    sessions: Annotated[
        int, typer.Option(min=1, help="Concurrent sessions in the throughput test.")
    ] = DEFAULTS.sessions,
    exchanges_per_session: Annotated[
        int, typer.Option(min=1, help="Exchanges each concurrent session persists.")
    ] = DEFAULTS.exchanges_per_session,
    budget: Annotated[
        float,
        typer.Option(
            min=0.1,
            help="Seconds one implementation may spend on one operation before it "
            "stops early (after at least 3 samples).",
        ),
    ] = DEFAULTS.budget_seconds,
    output: Annotated[
        Path, typer.Option(help="Where the JSON, Markdown and chart are written.")
    ] = DEFAULTS.output_dir,
    data_dir: Annotated[
        Path, typer.Option(help="Where the generated databases are built.")
    ] = DEFAULTS.data_dir,
    keep_data: Annotated[
        bool, typer.Option(help="Keep the generated databases for inspection.")
    ] = False,
    profile: Annotated[
        bool,
        typer.Option(help="Write cProfile output of Yonca's calls to OUTPUT/profiles."),
    ] = False,
) -> None:
    """Time YoncaDataLayer, Chainlit's SQLAlchemyDataLayer and raw SQL side by side."""
    options = RunOptions(
        sizes=parse_sizes(sizes),
        repeat=repeat,
        databases=parse_choices(databases, "--databases", DATABASES),
        database_url=database_url,
        implementations=parse_choices(
            implementations, "--implementations", IMPLEMENTATIONS
        ),
        sessions=sessions,
        exchanges_per_session=exchanges_per_session,
        budget_seconds=budget,
        data_dir=data_dir,
        output_dir=output,
        keep_data=keep_data,
        profile=profile,
    )
    # Chainlit, SQLAlchemy and matplotlib take seconds to import; options
    # are checked (and --help shown) before paying for them.
    from benchmarks.report import print_report, write_results
    from benchmarks.targets import judge_targets

    results = run(options)
    targets = judge_targets(results)
    print_report(console, results, targets)
    for path in write_results(options.output_dir, results, targets):
        console.print(f"wrote {path}")


def run(options: RunOptions) -> RunResults:
    """Run the benchmark, with PostgreSQL started first when it is needed."""
    from benchmarks.runner import run_benchmarks

    if "postgresql" not in options.databases:
        return asyncio.run(run_benchmarks(options, None))
    with postgres_server(options.data_dir, options.database_url) as server_url:
        return asyncio.run(run_benchmarks(options, PostgresServer(server_url)))


def main() -> None:
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("benchmarks").setLevel(logging.INFO)
    try:
        app()
    except YoncaError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        sys.exit(2)
