"""The start-up guard: the app refuses a database with errors, and says why."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest
from alembic import command
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from yonca.errors import SchemaNotReadyError
from yonca.guard import ddl_guard
from yonca.guard.connect import run_on_database
from yonca.guard.ddl_guard import allow_contract_ddl
from yonca.guard.startup import verify_database
from yonca.migrations import alembic_config


def test_a_sound_database_starts(database_url: str) -> None:
    verify_database(database_url)


def test_the_check_reads_the_catalogs_and_never_the_rows(
    database_url: str, dialect: str
) -> None:
    # It runs at every start, so it must not grow with the data: it reads
    # catalogs (a fixed number of queries on PostgreSQL) and the guard's own
    # small tables, never a contract table's rows.
    statements: list[str] = []

    def record(*arguments: object) -> None:
        statements.append(str(arguments[2]))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        verify_database(database_url)
    finally:
        event.remove(Engine, "before_cursor_execute", record)

    rows = re.compile(r"\bFROM\s+(users|threads|steps|elements|feedbacks)\b", re.I)
    assert not [statement for statement in statements if rows.search(statement)]
    if dialect == "postgresql":
        assert len(statements) <= 25


async def test_it_runs_from_inside_an_event_loop(database_url: str) -> None:
    # Chainlit's app code runs in a loop; asyncio.run would refuse there.
    verify_database(database_url)


def test_a_database_behind_the_code_is_refused_with_the_command_that_fixes_it(
    make_database: Callable, dialect: str
) -> None:
    url = make_database(dialect, migrate=False)
    command.upgrade(alembic_config(url), "0002_domain_tables")

    with pytest.raises(SchemaNotReadyError) as refused:
        verify_database(url)

    message = str(refused.value)
    assert "migrations-pending" in message
    assert message.endswith("run 'yonca db upgrade', then start again")


def test_drift_is_refused_with_the_report(
    make_database: Callable, dialect: str
) -> None:
    url = make_database(dialect)

    def drift(connection: Connection) -> None:
        allow_contract_ddl(connection)
        connection.exec_driver_sql('ALTER TABLE steps DROP COLUMN "waitForAnswer"')

    run_on_database(url, drift, write=True)

    with pytest.raises(SchemaNotReadyError) as refused:
        verify_database(url)

    message = str(refused.value)
    assert "ERROR steps.waitForAnswer [column-missing]" in message
    assert "fix: run 'yonca db upgrade'; if the database is already at head" in message
    assert "'yonca db check' shows this report" in message
    assert [f.code for f in refused.value.findings] == ["column-missing"]


def test_warnings_are_logged_and_do_not_stop_the_app(
    make_database: Callable, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_database("postgresql")
    run_on_database(url, ddl_guard.uninstall, write=True)

    with caplog.at_level(logging.WARNING, logger="yonca.guard.startup"):
        verify_database(url)

    assert "ddl-guard-missing" in caplog.text
