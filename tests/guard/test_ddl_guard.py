"""The DDL guard inside the machine's real PostgreSQL.

Every test database is migrated to head, which installs the guard (the test
server's ``postgres`` role is a superuser). Tests that remove or break the
guard use a database of their own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError

from tests import databases
from yonca.database import create_engine
from yonca.guard import ddl_guard
from yonca.guard.check import check_database
from yonca.guard.connect import run_blocking, run_on_database
from yonca.guard.ddl_guard import GuardInstallError, allow_contract_ddl
from yonca.migrations import MIGRATIONS_DIR, alembic_config, revision_state

CONTRACT = ("elements", "feedbacks", "steps", "threads", "users")

REFUSED = [
    'ALTER TABLE steps DROP COLUMN "waitForAnswer"',
    'ALTER TABLE users RENAME COLUMN "createdAt" TO created_at',
    "ALTER TABLE threads ALTER COLUMN tags TYPE jsonb USING tags::jsonb",
    "ALTER TABLE steps ADD COLUMN command TEXT",
    "ALTER TABLE users RENAME TO chainlit_users",
    "DROP TABLE feedbacks",
    'DROP INDEX "ix_steps_threadId"',
    'ALTER INDEX "ix_steps_threadId" RENAME TO steps_thread',
    'CREATE INDEX steps_by_creation ON steps ("createdAt")',
    "CREATE TRIGGER steps_noop BEFORE UPDATE ON steps FOR EACH ROW "
    "EXECUTE FUNCTION suppress_redundant_updates_trigger()",
    "COMMENT ON TABLE feedbacks IS NULL",
    "ALTER TABLE feedbacks DROP CONSTRAINT feedbacks_pkey",
    'ALTER TABLE steps ADD FOREIGN KEY ("threadId") REFERENCES threads (id)',
    "DROP SCHEMA public CASCADE",
]

DOMAIN_DDL = [
    "ALTER TABLE farms ADD COLUMN soil_notes TEXT",
    "CREATE INDEX farms_by_name ON farms (name)",
    "DROP TABLE parcels",
    # Its key to users made internal triggers on users; dropping them with
    # the table must not count as DDL on users.
    "DROP TABLE user_profiles",
    "ALTER TABLE alem_personas DROP CONSTRAINT alem_personas_chainlit_user_id_fkey",
    "ALTER TABLE farms ADD CONSTRAINT farms_owner FOREIGN KEY (owner_user_id) "
    "REFERENCES users (id)",
]


def execute(
    database_url: str, *statements: str, sanctioned: bool = False, commit: bool = True
) -> None:
    """Run statements in one transaction, committed if they all succeed."""

    async def run() -> None:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as connection:
                if sanctioned:
                    await connection.run_sync(allow_contract_ddl)
                for statement in statements:
                    await connection.exec_driver_sql(statement)
                if commit:
                    await connection.commit()
        finally:
            await engine.dispose()

    run_blocking(run)


def columns_of(database_url: str, table: str) -> list[str]:
    def read(connection: Connection) -> list[str]:
        return list(
            connection.execute(
                text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = :table"
                ),
                {"table": table},
            ).scalars()
        )

    return run_on_database(database_url, read)


@pytest.fixture(scope="module")
def guarded(make_database: Callable) -> str:
    return make_database("postgresql")


@pytest.fixture
def own_database(make_database: Callable) -> str:
    """A guarded database a test may break."""
    return make_database("postgresql")


def test_migrating_installs_the_guard_on_every_contract_table(guarded: str) -> None:
    status = run_on_database(guarded, ddl_guard.read_status)

    assert status.installed and status.enabled and status.can_install
    assert status.protected_tables == tuple(f"public.{name}" for name in CONTRACT)
    assert status.unprotected_tables == ()


def test_dropping_a_contract_column_fails_naming_the_guard(guarded: str) -> None:
    with pytest.raises(DBAPIError) as refused:
        execute(guarded, 'ALTER TABLE steps DROP COLUMN "waitForAnswer"')

    message = str(refused.value.orig)
    assert "yonca schema guard" in message
    assert "allow_contract_ddl(op)" in message
    assert "waitForAnswer" in columns_of(guarded, "steps")


@pytest.mark.parametrize("statement", REFUSED)
def test_ddl_on_contract_tables_is_refused(guarded: str, statement: str) -> None:
    with pytest.raises(DBAPIError, match="yonca schema guard"):
        execute(guarded, statement)


@pytest.mark.parametrize("statement", DOMAIN_DDL)
def test_ddl_on_domain_tables_is_untouched(guarded: str, statement: str) -> None:
    # The guard acts when the statement runs; the test then rolls it back.
    execute(guarded, statement, commit=False)


def test_replication_mode_does_not_bypass_the_guard(guarded: str) -> None:
    # Triggers enabled only for ordinary sessions skip replica sessions; the
    # guard's fire always.
    with pytest.raises(DBAPIError, match="yonca schema guard"):
        execute(
            guarded,
            "SET LOCAL session_replication_role = replica",
            "ALTER TABLE steps ADD COLUMN command TEXT",
        )


def test_truncate_is_not_ddl_and_passes(guarded: str) -> None:
    # A documented limit: row changes never reach event triggers.
    execute(guarded, "TRUNCATE feedbacks", commit=False)


def test_a_sanctioned_transaction_passes_and_stays_guarded(own_database: str) -> None:
    execute(
        own_database,
        "ALTER TABLE steps ADD COLUMN sanctioned_note TEXT",
        "CREATE INDEX steps_by_note ON steps (sanctioned_note)",
        sanctioned=True,
    )

    assert "sanctioned_note" in columns_of(own_database, "steps")
    # The new index hangs off a contract table: it is protected in turn.
    with pytest.raises(DBAPIError, match="yonca schema guard"):
        execute(own_database, "DROP INDEX steps_by_note")


@pytest.fixture
def extra_revisions(tmp_path: Path) -> Path:
    """Two revisions after head: one sanctioned, one not."""
    (tmp_path / "0004_sanctioned.py").write_text(
        '"""A sanctioned change to a contract table."""\n'
        "import sqlalchemy as sa\n"
        "from alembic import op\n\n"
        "from yonca.guard.ddl_guard import allow_contract_ddl\n\n"
        'revision = "0004_sanctioned"\n'
        'down_revision = "0003_schema_guard"\n\n\n'
        "def upgrade():\n"
        "    allow_contract_ddl(op)\n"
        '    op.add_column("steps", sa.Column("sanctioned_note", sa.Text()))\n'
    )
    (tmp_path / "0005_unsanctioned.py").write_text(
        '"""An unsanctioned change right after it, in the same upgrade."""\n'
        "from alembic import op\n\n"
        'revision = "0005_unsanctioned"\n'
        'down_revision = "0004_sanctioned"\n\n\n'
        "def upgrade():\n"
        '    op.drop_column("steps", "waitForAnswer")\n'
    )
    return tmp_path


def test_a_sanctioned_migration_passes_and_its_sanction_ends_with_it(
    own_database: str, extra_revisions: Path
) -> None:
    config = alembic_config(own_database)
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations",
        os.pathsep.join([str(MIGRATIONS_DIR / "versions"), str(extra_revisions)]),
    )

    with pytest.raises(DBAPIError, match="yonca schema guard"):
        command.upgrade(config, "heads")

    assert "sanctioned_note" in columns_of(own_database, "steps")
    assert "waitForAnswer" in columns_of(own_database, "steps")
    assert revision_state(own_database).current == ("0004_sanctioned",)


def test_uninstall_and_install_again(own_database: str) -> None:
    run_on_database(own_database, ddl_guard.uninstall, write=True)

    missing = check_database(own_database)
    assert [(f.severity.value, f.code) for f in missing] == [
        ("warning", "ddl-guard-missing")
    ]
    assert "yonca db guard install" in missing[0].fix
    execute(own_database, "COMMENT ON TABLE steps IS 'changed without the guard'")

    run_on_database(own_database, ddl_guard.install, write=True)
    with pytest.raises(DBAPIError, match="yonca schema guard"):
        execute(own_database, "COMMENT ON TABLE steps IS NULL")


def test_a_disabled_guard_is_reported(own_database: str) -> None:
    execute(own_database, "ALTER EVENT TRIGGER yonca_guard_sql_drop DISABLE")

    codes = [finding.code for finding in check_database(own_database)]

    assert codes == ["ddl-guard-disabled"]


def test_other_databases_are_untouched(
    guarded: str, make_database: Callable, postgres_server_url: str
) -> None:
    # Event triggers belong to one database: a database without the guard,
    # the server's maintenance database and its template stay free of it.
    unguarded = make_database("postgresql", migrate=False)
    execute(
        unguarded, "CREATE TABLE steps (id TEXT)", "ALTER TABLE steps DROP COLUMN id"
    )

    for database in ("postgres", "template1"):
        url = make_url(postgres_server_url).set(database=database)
        status = run_on_database(url.render_as_string(hide_password=False), _triggers)
        assert status == []


def _triggers(connection: Connection) -> list[str]:
    return list(
        connection.execute(
            text("SELECT evtname FROM pg_event_trigger WHERE evtname LIKE 'yonca%'")
        ).scalars()
    )


@pytest.fixture
def unprivileged_database(postgres_server_url: str) -> Iterator[str]:
    """A database owned by a role without superuser rights."""
    role = f"yonca_guard_{uuid.uuid4().hex[:8]}"
    server = make_url(postgres_server_url)
    admin = server.render_as_string(hide_password=False)
    execute(admin, f"CREATE ROLE {role} LOGIN")
    name = f"yonca_test_{uuid.uuid4().hex[:12]}"
    run_blocking(
        lambda: databases._admin(admin, f"CREATE DATABASE {name} OWNER {role}")
    )
    url = server.set(database=name, username=role).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        databases.drop_postgres_database(admin, url)
        execute(admin, f"DROP ROLE {role}")


def test_without_superuser_rights_the_migration_goes_on_and_check_warns(
    unprivileged_database: str,
) -> None:
    from yonca import migrations

    migrations.upgrade(unprivileged_database)

    findings = check_database(unprivileged_database)
    assert [(f.severity.value, f.code) for f in findings] == [
        ("warning", "ddl-guard-missing")
    ]
    assert "ask a superuser" in findings[0].fix
    with pytest.raises(GuardInstallError, match="needs a superuser"):
        run_on_database(unprivileged_database, ddl_guard.install, write=True)


def test_a_template_database_is_refused(own_database: str) -> None:
    name = make_url(own_database).database
    execute(own_database, f'ALTER DATABASE "{name}" IS_TEMPLATE true')
    try:
        with pytest.raises(GuardInstallError, match="template database"):
            run_on_database(own_database, ddl_guard.install, write=True)
    finally:
        execute(own_database, f'ALTER DATABASE "{name}" IS_TEMPLATE false')


def test_sqlite_has_no_guard_and_the_sanction_does_nothing(
    make_database: Callable,
) -> None:
    url = make_database("sqlite")

    with pytest.raises(GuardInstallError, match="event triggers"):
        run_on_database(url, ddl_guard.install, write=True)
    execute(url, "ALTER TABLE steps ADD COLUMN command TEXT", sanctioned=True)
