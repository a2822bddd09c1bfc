"""The assistant refuses to start on a database that is not ready, or without
the secret a shared database needs, and says what to do."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.assistant_server import assistant_environment, free_port, yonca_command
from yonca.assistant.startup import APP_MODULE

REFUSAL_SECONDS = 180


def start(
    command: list[str], environment: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=REFUSAL_SECONDS,
    )


@pytest.mark.parametrize("launcher", ["yonca serve", "chainlit run"])
def test_a_database_behind_is_refused_pointing_at_yonca_db_upgrade(
    make_database, tmp_path: Path, launcher: str
) -> None:
    environment = assistant_environment(
        tmp_path,
        "http://127.0.0.1:9",
        {
            "DATABASE_URL": make_database("postgresql", migrate=False),
            "CHAINLIT_AUTH_SECRET": secrets.token_urlsafe(32),
        },
    )
    port = str(free_port())
    if launcher == "yonca serve":
        command = [*yonca_command(), "serve", "--port", port]
    else:
        chainlit = [sys.executable, "-m", "chainlit"]
        command = [*chainlit, "run", str(APP_MODULE), "--headless", "--port", port]

    result = start(command, environment, tmp_path)

    assert result.returncode != 0
    assert "Yonca cannot start" in result.stderr
    assert "yonca db upgrade" in result.stderr


def test_a_database_of_ones_own_needs_the_secret(make_database, tmp_path: Path) -> None:
    environment = assistant_environment(
        tmp_path, "http://127.0.0.1:9", {"DATABASE_URL": make_database("postgresql")}
    )

    result = start(
        [*yonca_command(), "serve", "--port", str(free_port())], environment, tmp_path
    )

    assert result.returncode != 0
    assert "CHAINLIT_AUTH_SECRET is not set" in result.stderr
    assert "chainlit create-secret" in result.stderr
