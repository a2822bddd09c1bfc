"""The guard's commands, run as a person runs them: a real ``yonca`` process.

Exit status is part of the interface: 0 no errors, 1 errors found, 2 the
command could not run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Connection

from yonca.cli import main
from yonca.guard.connect import run_on_database
from yonca.guard.ddl_guard import allow_contract_ddl
from yonca.guard.lock import checksum_file
from yonca.migrations import MIGRATIONS_DIR


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def yonca(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run the ``yonca`` command in this process, as its console script does."""
    for name in ("DATABASE_URL", "YONCA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)

    def run(*arguments: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["yonca", *arguments])
        with pytest.raises(SystemExit) as exit:
            main()
        stdout, stderr = capsys.readouterr()
        return Result(int(exit.value.code or 0), stdout, stderr)

    return run


def drift(database_url: str, *statements: str) -> None:
    def run(connection: Connection) -> None:
        allow_contract_ddl(connection)
        for statement in statements:
            connection.exec_driver_sql(statement)

    run_on_database(database_url, run, write=True)


@pytest.fixture
def fresh(make_database: Callable, dialect: str) -> str:
    return make_database(dialect)


def test_check_of_a_sound_database_exits_0(
    fresh: str, yonca: Callable[..., Result]
) -> None:
    result = yonca("db", "check", "--database-url", fresh)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no findings: the schema matches the contract" in result.stdout


def test_check_of_a_drifted_database_exits_1_with_the_report(
    fresh: str, yonca: Callable[..., Result]
) -> None:
    drift(
        fresh,
        "ALTER TABLE steps ADD COLUMN command TEXT",
        "DROP INDEX ix_users_identifier",
    )

    text = yonca("db", "check", "--database-url", fresh)
    as_json = yonca("db", "check", "--database-url", fresh, "--format", "json")

    assert text.returncode == 1
    assert "ERROR   users(identifier) (index-missing)" in text.stdout
    assert "WARNING steps.command (column-unexpected)" in text.stdout
    assert "1 error, 1 warning" in text.stdout
    document = json.loads(as_json.stdout)
    assert as_json.returncode == 1
    assert (document["errors"], document["warnings"]) == (1, 1)
    assert {f["code"] for f in document["findings"]} == {
        "index-missing",
        "column-unexpected",
    }
    assert set(document["findings"][0]) == {
        "severity",
        "code",
        "object",
        "expected",
        "found",
        "fix",
    }


def test_warnings_fail_the_check_only_when_strict(
    fresh: str, yonca: Callable[..., Result]
) -> None:
    drift(fresh, "ALTER TABLE steps ADD COLUMN command TEXT")

    assert yonca("db", "check", "--database-url", fresh).returncode == 0
    strict = yonca("db", "check", "--database-url", fresh, "--strict")
    assert strict.returncode == 1
    assert "ERROR   steps.command (column-unexpected)" in strict.stdout


def test_check_that_cannot_run_exits_2(
    tmp_path: Path, yonca: Callable[..., Result]
) -> None:
    result = yonca("db", "check", "--database-url", f"sqlite:///{tmp_path}/typo.db")

    assert result.returncode == 2
    assert "there is no SQLite database at" in result.stderr
    assert not (tmp_path / "typo.db").exists()


def test_guard_status_install_and_uninstall(
    make_database: Callable, yonca: Callable[..., Result]
) -> None:
    url = make_database("postgresql")

    assert yonca("db", "guard", "status", "--database-url", url).returncode == 0
    assert yonca("db", "guard", "uninstall", "--database-url", url).returncode == 0
    missing = yonca("db", "guard", "status", "--database-url", url)
    assert missing.returncode == 1
    assert "installed:  no" in missing.stdout
    assert yonca("db", "guard", "install", "--database-url", url).returncode == 0
    status = yonca("db", "guard", "status", "--database-url", url)
    assert "protecting: public.elements, public.feedbacks" in status.stdout


def test_guard_on_sqlite_cannot_run(
    make_database: Callable, yonca: Callable[..., Result]
) -> None:
    result = yonca("db", "guard", "install", "--database-url", make_database("sqlite"))

    assert result.returncode == 2
    assert "event triggers" in result.stderr


def test_lint_of_yonca_s_migrations_exits_0(yonca: Callable[..., Result]) -> None:
    result = yonca("migrations", "lint")

    assert result.returncode == 0, result.stdout
    assert "no findings" in result.stdout


def test_lint_of_a_contract_change_exits_1(
    tmp_path: Path, yonca: Callable[..., Result]
) -> None:
    migration = tmp_path / "0001_bad.py"
    migration.write_text(
        'revision = "0002_bad"\ndown_revision = "0001"\n'
        "from alembic import op\n\n\n"
        'def upgrade():\n    op.drop_column("steps", "waitForAnswer")\n'
    )

    result = yonca("migrations", "lint", str(migration), "--format", "json")

    assert result.returncode == 1
    assert json.loads(result.stdout)["findings"][0]["code"] == "contract-change"


def test_lock_outside_a_repository_exits_2(
    tmp_path: Path, yonca: Callable[..., Result]
) -> None:
    migration = tmp_path / "0001_alone.py"
    migration.write_text('revision = "0001_alone"\ndown_revision = None\n')

    result = yonca("migrations", "lock", str(migration))

    assert result.returncode == 2
    assert "git repository" in result.stderr


def test_checksum_prints_the_lock_s_checksum(yonca: Callable[..., Result]) -> None:
    path = MIGRATIONS_DIR / "versions" / "0001_chainlit_contract.py"

    result = yonca("migrations", "checksum", str(path))

    assert result.stdout.split() == [checksum_file(path), str(path)]


def test_the_console_script_runs_the_same_check(fresh: str) -> None:
    # Once as a separate process, the way a person or CI runs it.
    script = Path(sys.executable).with_name("yonca")

    result = subprocess.run(
        [str(script), "db", "check", "--database-url", fresh],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no findings" in result.stdout
