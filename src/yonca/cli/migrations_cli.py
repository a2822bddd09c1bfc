"""``yonca migrations``: check migration files before they reach a database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yonca.cli.db import Format, OutputFormat, report
from yonca.guard.committed import check_committed
from yonca.guard.lint import lint_paths
from yonca.guard.lock import checksum_file
from yonca.migrations import MIGRATIONS_DIR

app = typer.Typer(
    help="Check migration files without running them (also as pre-commit hooks).",
    no_args_is_help=True,
)

VERSIONS_DIR = MIGRATIONS_DIR / "versions"

Paths = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Migration files or directories; defaults to Yonca's own migrations.",
        show_default=False,
    ),
]


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="migrations")


@app.command()
def lint(paths: Paths = None, output_format: Format = OutputFormat.TEXT) -> None:
    """Refuse changes to the Chainlit contract tables outside the baseline.

    Reads Alembic operations and the SQL given to op.execute, and refuses a
    table created by two migrations. Exit status: 0 no errors, 1 errors,
    2 the files could not be read.
    """
    targets = paths or [VERSIONS_DIR]
    findings = lint_paths(targets)
    report(
        findings,
        output_format,
        title=f"yonca migrations lint: {', '.join(map(str, targets))}",
        clean="no findings: no migration besides the baseline changes a contract "
        "table, and no table is created twice",
        paths=[str(path) for path in targets],
    )


@app.command()
def lock(
    paths: Paths = None,
    against: Annotated[
        str, typer.Option(help="The commit the migrations must match.")
    ] = "HEAD",
    output_format: Format = OutputFormat.TEXT,
) -> None:
    """Refuse edits to migrations already committed, and several heads.

    A migration that exists at --against must do the same in the working tree;
    reformatting and editing comments or docstrings is allowed. Exit status:
    0 no errors, 1 errors, 2 git could not be asked.
    """
    targets = paths or [VERSIONS_DIR]
    findings = check_committed(targets, against=against)
    report(
        findings,
        output_format,
        title=f"yonca migrations lock: {', '.join(map(str, targets))} "
        f"against {against}",
        clean=f"no findings: no committed migration changed since {against}, "
        "and the history has one head",
        paths=[str(path) for path in targets],
        against=against,
    )


@app.command()
def checksum(paths: Annotated[list[Path], typer.Argument(show_default=False)]) -> None:
    """Print the lock's checksum of each migration file.

    The checksum covers what the migration does: its Python syntax tree without
    docstrings, so formatting and comments leave it unchanged.
    """
    for path in paths:
        typer.echo(f"{checksum_file(path)}  {path}")
