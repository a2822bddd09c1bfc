"""``yonca users`` and ``yonca demo``, as a person types them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid

import pytest
from typer.testing import CliRunner

from yonca.cli import app
from yonca.database import create_engine
from yonca.domain import accounts

runner = CliRunner()


def authenticate(database_url: str, email: str, password: str) -> bool:
    async def check() -> bool:
        engine = create_engine(database_url)
        try:
            return await accounts.authenticate(engine, email, password) is not None
        finally:
            await engine.dispose()

    return asyncio.run(check())


def test_users_add_asks_for_the_password_twice_without_echo(database_url: str) -> None:
    email = f"prompted-{uuid.uuid4().hex[:8]}@example.az"

    result = runner.invoke(
        app,
        ["users", "add", email, "--database-url", database_url],
        input="typed-secret\ntyped-secret\n",
    )

    assert result.exit_code == 0, result.output
    assert "typed-secret" not in result.output
    assert f"created {email}" in result.output
    assert authenticate(database_url, email, "typed-secret")


def test_users_add_takes_the_password_from_an_option(database_url: str) -> None:
    email = f"scripted-{uuid.uuid4().hex[:8]}@example.az"

    added = runner.invoke(
        app,
        ["users", "add", email, "--password", "script-secret", "--name", "Tural"],
        env={"DATABASE_URL": database_url},
    )
    changed = runner.invoke(
        app,
        ["users", "set-password", email, "--password", "new-secret"],
        env={"DATABASE_URL": database_url},
    )
    listed = runner.invoke(app, ["users", "list", "--database-url", database_url])

    assert added.exit_code == changed.exit_code == listed.exit_code == 0
    assert authenticate(database_url, email, "new-secret")
    assert email in listed.output and "password" in listed.output


def test_a_refused_command_says_what_to_do_and_exits_2(database_url: str) -> None:
    email = f"twice-{uuid.uuid4().hex[:8]}@example.az"
    command = [
        sys.executable,
        "-c",
        "from yonca.cli import main; main()",
        "users",
        "add",
        email,
        "--password",
        "long-enough",
        "--database-url",
        database_url,
    ]

    first = subprocess.run(command, capture_output=True, text=True, timeout=120)
    second = subprocess.run(command, capture_output=True, text=True, timeout=120)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 2
    assert f"yonca users set-password {email}" in " ".join(second.stderr.split())


@pytest.mark.parametrize("dialect", ["sqlite"])
def test_demo_seed_prints_the_farmers_it_made(make_database, dialect: str) -> None:
    url = make_database(dialect)

    result = runner.invoke(
        app,
        ["demo", "seed", "--count", "2", "--database-url", url],
        env={"COLUMNS": "200"},
    )

    assert result.exit_code == 0, result.output
    assert "farmer1@demo.yonca.az" in result.output
    assert "farmer2@demo.yonca.az" in result.output
    assert authenticate(url, "farmer2@demo.yonca.az", "yonca-demo")
