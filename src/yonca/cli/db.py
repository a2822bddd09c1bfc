"""``yonca db``: migrate and inspect the database."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from yonca import migrations
from yonca.settings import get_settings

app = typer.Typer(help="Migrate and inspect Yonca's database.", no_args_is_help=True)
console = Console()

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Database to use; defaults to $DATABASE_URL, then the embedded SQLite file.",
        show_default=False,
    ),
]


def resolve_database_url(database_url: str | None) -> str:
    return database_url or get_settings().resolved_database_url


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
