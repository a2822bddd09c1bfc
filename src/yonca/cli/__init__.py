"""The ``yonca`` command: thin commands over the library.

Each sub-application only parses arguments and prints; the work is done by
functions the app and the tests import too. Library errors become exits in
one place, ``main``.
"""

from __future__ import annotations

import logging
import sys

import typer
from rich.console import Console

from yonca.cli import db
from yonca.errors import YoncaError

app = typer.Typer(
    name="yonca",
    help="Yonca, the farm-planning assistant: run it and look after its database.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db.app, name="db")

err_console = Console(stderr=True)


def _register_optional_commands() -> None:
    # Commands that live in their own modules register here; importing them
    # lazily keeps 'yonca db ...' fast and free of the Chainlit import.
    from importlib import import_module

    for module_name in ("serve", "users", "demo", "migrations_cli"):
        try:
            module = import_module(f"yonca.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"yonca.cli.{module_name}":
                raise
            continue
        module.register(app)


_register_optional_commands()


def main() -> None:
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        app()
    except YoncaError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        sys.exit(2)
