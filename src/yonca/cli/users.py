"""``yonca users``: the accounts that sign in with a password."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from yonca.cli.db import DatabaseUrl, resolve_database_url

app = typer.Typer(help="Manage who can sign in to the assistant.", no_args_is_help=True)
console = Console()
T = TypeVar("T")

Password = Annotated[
    str | None,
    typer.Option(
        help="The password; asked for (twice, hidden) when not given.",
        show_default=False,
    ),
]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="users")


@app.command()
def add(
    email: Annotated[str, typer.Argument(help="The farmer's e-mail address.")],
    password: Password = None,
    name: Annotated[
        str | None, typer.Option(help="Name shown in the app.", show_default=False)
    ] = None,
    language: Annotated[
        str, typer.Option(help="Language of the answers: az, en or ru.")
    ] = "az",
    database_url: DatabaseUrl = None,
) -> None:
    """Create an account that signs in with EMAIL and a password."""
    from yonca.domain import accounts

    secret = password or _ask_password()
    account = run_with_engine(
        database_url,
        lambda engine: accounts.create_account(
            engine, email, secret, display_name=name, language=language
        ),
    )
    console.print(f"created {account.identifier}; sign in at http://localhost:8000")


@app.command("set-password")
def set_password(
    email: Annotated[str, typer.Argument(help="The account's e-mail address.")],
    password: Password = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Change the password of an account."""
    from yonca.domain import accounts

    secret = password or _ask_password()
    run_with_engine(
        database_url, lambda engine: accounts.set_password(engine, email, secret)
    )
    console.print(f"changed the password of {email.strip().lower()}")


@app.command("list")
def list_users(database_url: DatabaseUrl = None) -> None:
    """List every account, with how it signs in."""
    from yonca.domain import accounts

    found = run_with_engine(database_url, accounts.list_accounts)
    table = Table("e-mail", "name", "language", "sign-in")
    for account in found:
        table.add_row(
            account.identifier,
            account.display_name or "",
            account.language,
            "password" if account.has_password else "OAuth",
        )
    console.print(table)


def run_with_engine(
    database_url: str | None, work: Callable[[AsyncEngine], Awaitable[T]]
) -> T:
    """Run ``work`` on a ready database: the embedded default is migrated."""
    from yonca.assistant.startup import prepare_database
    from yonca.database import create_engine
    from yonca.settings import get_settings

    settings = get_settings()
    url = resolve_database_url(database_url)
    prepare_database(
        url,
        embedded=url == settings.resolved_database_url
        and settings.uses_embedded_database,
    )

    async def run() -> T:
        engine = create_engine(url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _ask_password() -> str:
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
