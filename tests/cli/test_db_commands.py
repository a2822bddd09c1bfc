"""``yonca db upgrade`` and ``yonca db current`` on both databases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from yonca.cli import app
from yonca.contract import CONTRACT_TABLE_NAMES, DOMAIN_TABLE_NAMES

runner = CliRunner()


def sqlite_table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("dialect_name", ["sqlite", "postgresql"])
def test_upgrade_then_current_reports_up_to_date(
    make_database: Callable[..., str], dialect_name: str
) -> None:
    url = make_database(dialect_name, migrate=False)
    if dialect_name == "sqlite":
        Path(make_url(url).database or "").touch()  # an empty database file

    behind = runner.invoke(app, ["db", "current", "--database-url", url])
    assert behind.exit_code == 1, behind.output
    assert "yonca db upgrade" in behind.output

    upgraded = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert upgraded.exit_code == 0, upgraded.output

    current = runner.invoke(app, ["db", "current", "--database-url", url])
    assert current.exit_code == 0, current.output
    assert "up to date" in current.output


def test_upgrade_creates_the_contract_and_domain_tables(
    make_database: Callable[..., str],
) -> None:
    url = make_database("sqlite", migrate=False)

    result = runner.invoke(app, ["db", "upgrade", "--database-url", url])

    assert result.exit_code == 0, result.output
    assert sqlite_table_names(url) >= CONTRACT_TABLE_NAMES | DOMAIN_TABLE_NAMES


def test_a_missing_sqlite_file_is_reported_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "yonca.db"

    result = runner.invoke(
        app, ["db", "current", "--database-url", f"sqlite:///{missing}"]
    )

    assert result.exit_code != 0
    assert "no SQLite database" in str(result.exception)
    assert not missing.parent.exists()


def test_an_unsupported_database_url_is_a_clear_error() -> None:
    result = runner.invoke(app, ["db", "current", "--database-url", "mysql://x/y"])

    assert result.exit_code != 0
    assert "PostgreSQL and SQLite" in str(result.exception or result.output)
