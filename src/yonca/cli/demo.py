"""``yonca demo``: sample farmers to try the assistant with."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from yonca.cli.db import DatabaseUrl
from yonca.cli.users import run_with_engine

app = typer.Typer(help="Sample data for trying Yonca.", no_args_is_help=True)
console = Console()


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="demo")


@app.command()
def seed(
    count: Annotated[int, typer.Option(min=1, max=100, help="How many farmers.")] = 3,
    password: Annotated[
        str, typer.Option(help="Password of every demo farmer.")
    ] = "yonca-demo",
    database_url: DatabaseUrl = None,
) -> None:
    """Create demo farmers (farmer1@demo.yonca.az, ...) with personas and farms.

    Farmers that exist already are kept as they are, so running it again is safe.
    """
    from yonca.domain.demo import seed_demo_farmers

    farmers = run_with_engine(
        database_url, lambda engine: seed_demo_farmers(engine, count, password)
    )
    table = Table("e-mail", "FIN", "farmer", "region", "crops", "new")
    for farmer in farmers:
        persona = farmer.context.persona
        table.add_row(
            farmer.identifier,
            persona.fin,
            persona.full_name,
            persona.region,
            ", ".join(persona.crops),
            "yes" if farmer.created else "no",
        )
    console.print(table)
    console.print(f"new farmers sign in with the password '{password}'")
