"""The migration lock: checksums recorded on upgrade, and what the check sees.

Each test migrates a fresh database from a copy of Yonca's revisions in a
temporary folder, so that it can edit, add and remove migration files as a
careless developer would, without touching the real ones.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.engine import Connection, make_url

from yonca.guard.check import check_database
from yonca.guard.connect import run_on_database
from yonca.guard.findings import Finding
from yonca.guard.lock import (
    check_migrations,
    checksum_file,
    checksum_source,
    migration_checksums,
)
from yonca.migrations import MIGRATIONS_DIR, alembic_config

REVISIONS = ("0001_chainlit_contract", "0002_domain_tables", "0003_schema_guard")


def config_for(database_url: str, versions: Path) -> Config:
    config = alembic_config(database_url)
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(versions))
    return config


def lock_findings(database_url: str, versions: Path) -> set[tuple[str, str, str]]:
    scripts = ScriptDirectory.from_config(config_for(database_url, versions))

    def check(connection: Connection) -> list[Finding]:
        return check_migrations(connection, scripts)

    findings = run_on_database(database_url, check)
    return {(f.severity.value, f.code, f.object) for f in findings}


def add_revision(versions: Path, revision: str, down_revision: str) -> Path:
    path = versions / f"{revision}.py"
    path.write_text(
        f'"""An extra revision for the test."""\n\n'
        f"revision = {revision!r}\n"
        f"down_revision = {down_revision!r}\n\n\n"
        "def upgrade():\n    pass\n\n\n"
        "def downgrade():\n    pass\n"
    )
    return path


@pytest.fixture
def versions(tmp_path: Path) -> Path:
    copy = tmp_path / "versions"
    copy.mkdir()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        shutil.copy(path, copy / path.name)
    return copy


@pytest.fixture
def fresh_url(make_database: Callable, dialect: str) -> str:
    url = make_database(dialect, migrate=False)
    if dialect == "sqlite":
        Path(make_url(url).database or "").touch()
    return url


@pytest.fixture
def migrated(fresh_url: str, versions: Path) -> str:
    command.upgrade(config_for(fresh_url, versions), "heads")
    return fresh_url


def test_upgrade_records_every_revision(migrated: str, versions: Path) -> None:
    def recorded(connection: Connection) -> dict[str, str]:
        query = select(migration_checksums.c.revision, migration_checksums.c.checksum)
        return dict(connection.execute(query).all())

    checksums = run_on_database(migrated, recorded)

    assert checksums == {
        revision: checksum_file(versions / f"{revision}.py") for revision in REVISIONS
    }
    assert lock_findings(migrated, versions) == set()


def test_an_applied_migration_edited_in_place_is_reported(
    migrated: str, versions: Path
) -> None:
    path = versions / "0002_domain_tables.py"
    source = path.read_text()
    edited = source.replace(
        "sa.String(64), nullable=False", "sa.String(80), nullable=False"
    )
    assert edited != source
    path.write_text(edited)

    assert lock_findings(migrated, versions) == {
        ("error", "migration-changed", "0002_domain_tables")
    }


def test_reformatting_and_comments_do_not_count(migrated: str, versions: Path) -> None:
    path = versions / "0001_chainlit_contract.py"
    source = path.read_text()
    reformatted = (
        source.replace('"""Create the five', '"""Create, once and for all, the five')
        .replace(
            'op.create_table(\n        "users",',
            "op.create_table(  # who signs in\n\n        'users' ,",
        )
        .replace("def downgrade() -> None:\n", "def downgrade() -> None:\n    # undo\n")
    )
    assert reformatted != source
    path.write_text(reformatted)

    assert lock_findings(migrated, versions) == set()


def test_an_applied_migration_whose_file_is_gone_is_reported(
    migrated: str, versions: Path
) -> None:
    extra = add_revision(versions, "0004_extra", "0003_schema_guard")
    command.upgrade(config_for(migrated, versions), "heads")
    extra.unlink()

    assert lock_findings(migrated, versions) == {
        ("error", "migration-unknown", "0004_extra"),
        ("error", "migration-missing", "0004_extra"),
    }


def test_several_heads_are_reported(migrated: str, versions: Path) -> None:
    add_revision(versions, "0004_left", "0003_schema_guard")
    add_revision(versions, "0004_right", "0003_schema_guard")

    assert lock_findings(migrated, versions) == {
        ("error", "migration-heads", "code history"),
        ("error", "migrations-pending", "database"),
    }


def test_a_database_behind_the_code_is_reported(fresh_url: str, versions: Path) -> None:
    command.upgrade(config_for(fresh_url, versions), "0002_domain_tables")

    assert lock_findings(fresh_url, versions) == {
        ("error", "migrations-pending", "database")
    }


def test_a_revision_without_checksum_is_a_warning(
    migrated: str, versions: Path
) -> None:
    run_on_database(
        migrated,
        lambda connection: connection.execute(
            text(
                "DELETE FROM yonca_migration_checksums "
                "WHERE revision = '0002_domain_tables'"
            )
        ),
        write=True,
    )

    assert lock_findings(migrated, versions) == {
        ("warning", "migration-unrecorded", "0002_domain_tables")
    }


def test_a_downgrade_forgets_the_checksum(migrated: str, versions: Path) -> None:
    add_revision(versions, "0004_extra", "0003_schema_guard")
    config = config_for(migrated, versions)
    command.upgrade(config, "heads")
    command.downgrade(config, "0003_schema_guard")

    def recorded(connection: Connection) -> set[str]:
        return set(connection.execute(select(migration_checksums.c.revision)).scalars())

    assert run_on_database(migrated, recorded) == set(REVISIONS)


def test_down_to_nothing_and_up_again(migrated: str, versions: Path) -> None:
    # The guard's revision removes the DDL guard first, so the baseline's
    # downgrade may drop the contract tables; upgrading installs it again.
    config = config_for(migrated, versions)
    command.downgrade(config, "base")
    command.upgrade(config, "heads")

    assert lock_findings(migrated, versions) == set()
    assert check_database(migrated) == []


def test_the_normalized_checksum() -> None:
    original = 'def upgrade():\n    """Add it."""\n    op.add_column("farms", x)\n'
    reformatted = "def upgrade( ):\n    # add it\n    op.add_column( 'farms',x )\n"
    changed = 'def upgrade():\n    op.add_column("parcels", x)\n'

    assert checksum_source(original) == checksum_source(reformatted)
    assert checksum_source(original) != checksum_source(changed)


def test_the_real_revisions_have_stable_checksums() -> None:
    # The checksum is of the syntax tree: reading a file twice, or from a copy
    # at another path, gives the same value.
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        assert checksum_file(path) == checksum_source(path.read_text())
