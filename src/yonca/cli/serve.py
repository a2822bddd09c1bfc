"""``yonca serve``: run the assistant."""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import typer

from yonca.errors import ConfigurationError
from yonca.settings import get_settings


def register(app: typer.Typer) -> None:
    app.command()(serve)


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 for every interface.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the assistant in a web browser.")
    ] = False,
) -> None:
    """Start the assistant on http://localhost:8000 (sign in with 'yonca users add').

    With the embedded SQLite database (no DATABASE_URL) the database is
    migrated first; any other database must be up to date ('yonca db upgrade').
    """
    # Imported here: Chainlit fixes its app root when first imported, and
    # the other yonca commands should not pay for loading it.
    from yonca.assistant import startup

    app_root = startup.prepare_app_root(get_settings().data_dir)
    if "chainlit.config" in sys.modules:
        raise ConfigurationError(
            "Chainlit was loaded before 'yonca serve' could choose its app root; "
            "run 'yonca serve' in a fresh process"
        )
    os.environ["CHAINLIT_APP_ROOT"] = str(app_root)
    os.environ["CHAINLIT_HOST"] = host
    os.environ["CHAINLIT_PORT"] = str(port)

    from chainlit.cli import run_chainlit
    from chainlit.config import config

    config.run.headless = not open_browser
    # Chainlit says where the app is listening at INFO; Yonca's own INFO lines
    # are the steps an operator wants to see (migrations, sign-ins).
    for name in ("chainlit", "yonca"):
        logging.getLogger(name).setLevel(logging.INFO)
    run_chainlit(str(startup.APP_MODULE))
