"""``yonca db``: migrate, inspect and guard the database."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from yonca import migrations
from yonca.database import dialect_name
from yonca.guard import ddl_guard
from yonca.guard.check import check_database
from yonca.guard.connect import display_url, run_on_database
from yonca.guard.findings import Finding, render_json, render_text
from yonca.settings import get_settings

app = typer.Typer(help="Migrate and inspect Yonca's database.", no_args_is_help=True)
guard_app = typer.Typer(
    help="The DDL guard: PostgreSQL event triggers that refuse DDL on the "
    "Chainlit contract tables.",
    no_args_is_help=True,
)
app.add_typer(guard_app, name="guard")
console = Console()


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Database to use; defaults to $DATABASE_URL, then the embedded "
        "SQLite file.",
        show_default=False,
    ),
]
Format = Annotated[
    OutputFormat,
    typer.Option("--format", help="text for people, json for programs."),
]


def resolve_database_url(database_url: str | None) -> str:
    return database_url or get_settings().resolved_database_url


def report(
    findings: Sequence[Finding],
    output_format: OutputFormat,
    *,
    title: str,
    clean: str,
    **context: object,
) -> None:
    """Print findings and exit: 0 without errors, 1 with any.

    ``clean`` is what the text report says when there is nothing to report.
    """
    if output_format is OutputFormat.JSON:
        typer.echo(render_json(findings, **context))
    else:
        render_text(findings, console, title=title, clean=clean)
    raise typer.Exit(1 if any(finding.is_error for finding in findings) else 0)


@app.command()
def upgrade(
    database_url: DatabaseUrl = None,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "heads",
) -> None:
    """Apply every migration the database is missing."""
    url = resolve_database_url(database_url)
    migrations.upgrade(url, revision)
    state = migrations.revision_state(url)
    console.print(f"database is at {', '.join(state.current) or 'nothing'}")


@app.command()
def current(database_url: DatabaseUrl = None) -> None:
    """Show the applied revision and whether the database is up to date."""
    url = resolve_database_url(database_url)
    state = migrations.revision_state(url)
    console.print(f"current: {', '.join(state.current) or '(none)'}")
    console.print(f"head:    {', '.join(state.heads)}")
    if state.up_to_date:
        console.print("up to date")
    else:
        console.print("behind: run 'yonca db upgrade'")
        raise typer.Exit(1)


@app.command()
def check(
    database_url: DatabaseUrl = None,
    output_format: Format = OutputFormat.TEXT,
    strict: Annotated[
        bool, typer.Option(help="Count every warning (extra columns...) as an error.")
    ] = False,
    data: Annotated[
        bool,
        typer.Option(
            help="Also look for rows whose thread, step or user is gone and JSON "
            "that does not parse (reads whole tables)."
        ),
    ] = False,
) -> None:
    """Compare the database with the contract, the migrations and the DDL guard.

    Exit status: 0 no errors, 1 errors found, 2 the check could not run.
    Warnings are shown but do not fail the check unless --strict is given.
    """
    url = resolve_database_url(database_url)
    findings = check_database(url, data=data, strict=strict)
    report(
        findings,
        output_format,
        title=f"yonca db check: {display_url(url)}",
        clean="no findings: the schema matches the contract, every migration is "
        "applied and unchanged"
        + (", the DDL guard is in place" if dialect_name(url) == "postgresql" else "")
        + (", and the data is sound" if data else ""),
        database=display_url(url),
    )


@guard_app.command("status")
def guard_status(database_url: DatabaseUrl = None) -> None:
    """Show whether the DDL guard is installed, enabled and covering every table.

    Exit status: 0 installed and complete, 1 missing or incomplete.
    """
    url = resolve_database_url(database_url)
    status = run_on_database(url, ddl_guard.read_status)
    console.print(f"DDL guard on {display_url(url)}")
    console.print(f"  installed:  {_yes_no(status.installed)}")
    if status.installed:
        console.print(f"  enabled:    {_yes_no(status.enabled)}")
        console.print(
            f"  protecting: {', '.join(status.protected_tables) or 'nothing'}"
        )
        if status.unprotected_tables:
            console.print(f"  missing:    {', '.join(status.unprotected_tables)}")
    console.print(f"  this role can install it: {_yes_no(status.can_install)}")
    complete = status.installed and status.enabled and not status.unprotected_tables
    if not complete:
        console.print("run 'yonca db guard install' as a superuser to complete it")
    raise typer.Exit(0 if complete else 1)


@guard_app.command("install")
def guard_install(database_url: DatabaseUrl = None) -> None:
    """Install (or reinstall) the DDL guard; needs a PostgreSQL superuser."""
    url = resolve_database_url(database_url)
    run_on_database(url, ddl_guard.install, write=True)
    console.print(f"DDL guard installed on {display_url(url)}")


@guard_app.command("uninstall")
def guard_uninstall(database_url: DatabaseUrl = None) -> None:
    """Remove the DDL guard; the contract tables are then unprotected."""
    url = resolve_database_url(database_url)
    run_on_database(url, ddl_guard.uninstall, write=True)
    console.print(f"DDL guard removed from {display_url(url)}")


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"
