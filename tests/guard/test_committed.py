"""``yonca migrations lock``: committed migrations must not change.

Each test works in a throwaway git repository of its own under the test's
temporary folder, never in the project's.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from yonca.guard.committed import LockNotRunError, check_committed
from yonca.migrations import MIGRATIONS_DIR


def git(repository: Path, *arguments: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=Yonca tests",
            "-c",
            "user.email=tests@yonca.invalid",
            *arguments,
        ],
        cwd=repository,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def versions(tmp_path: Path) -> Path:
    """Yonca's revisions, committed in a repository of their own."""
    repository = tmp_path / "repository"
    versions = repository / "versions"
    versions.mkdir(parents=True)
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        shutil.copy(path, versions / path.name)
    git(repository, "init", "--quiet")
    git(repository, "add", ".")
    git(repository, "commit", "--quiet", "-m", "migrations")
    return versions


def codes(versions: Path) -> set[tuple[str, str]]:
    return {(f.code, Path(f.object).name) for f in check_committed([versions])}


def test_unchanged_migrations_pass(versions: Path) -> None:
    assert codes(versions) == set()


def test_a_committed_migration_changed_is_refused(versions: Path) -> None:
    path = versions / "0001_chainlit_contract.py"
    path.write_text(
        path.read_text().replace(
            "sa.String(255), nullable=False", "sa.Text(), nullable=False", 1
        )
    )

    assert codes(versions) == {("migration-changed", "0001_chainlit_contract.py")}


def test_reformatting_a_committed_migration_passes(versions: Path) -> None:
    path = versions / "0002_domain_tables.py"
    source = path.read_text()
    path.write_text(
        source.replace(
            "Create Yonca's domain tables", "Create the domain tables"
        ).replace(
            "def upgrade() -> None:\n", "def upgrade() -> None:\n    # tables\n\n"
        )
    )

    assert codes(versions) == set()


def test_a_new_migration_is_left_to_the_linter(versions: Path) -> None:
    (versions / "0004_new.py").write_text(
        'revision = "0004_new"\ndown_revision = "0003_schema_guard"\n'
    )

    assert codes(versions) == set()


def test_several_heads_are_refused(versions: Path) -> None:
    for name in ("0004_left", "0004_right"):
        (versions / f"{name}.py").write_text(
            f'revision = "{name}"\ndown_revision = "0003_schema_guard"\n'
        )

    assert codes(versions) == {("migration-heads", "versions")}


def test_outside_a_repository_the_lock_cannot_run(tmp_path: Path) -> None:
    migration = tmp_path / "0001_alone.py"
    migration.write_text('revision = "0001_alone"\ndown_revision = None\n')

    with pytest.raises(LockNotRunError, match="git repository"):
        check_committed([migration])
