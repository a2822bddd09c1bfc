"""The migration linter, both directions: refused changes and allowed ones.

Each case writes a revision after Yonca's own (copied into a temporary
folder, so that the baseline and the tables already created are known) and
lints it without running it.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from yonca.guard.lint import LintNotRunError, lint_paths
from yonca.migrations import MIGRATIONS_DIR

HEADER = '''"""A revision under test."""
import sqlalchemy as sa
from alembic import op

from yonca.guard.ddl_guard import allow_contract_ddl

revision = "0004_under_test"
down_revision = "0003_schema_guard"

'''


@pytest.fixture
def history(tmp_path: Path) -> Path:
    versions = tmp_path / "versions"
    versions.mkdir()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        shutil.copy(path, versions / path.name)
    return versions


def lint(history: Path, body: str, *, header: str = HEADER) -> set[tuple[str, str]]:
    path = history / "0004_under_test.py"
    path.write_text(header + textwrap.dedent(body))
    findings = lint_paths([path])
    assert all(path.name in finding.object for finding in findings)
    return {(finding.severity.value, finding.code) for finding in findings}


CONTRACT_CHANGES = {
    "drop a column": """
        def upgrade():
            op.drop_column("steps", "waitForAnswer")
        """,
    "add a column": """
        def upgrade():
            op.add_column("threads", sa.Column("farm_id", sa.String(20)))
        """,
    "change a type": """
        def upgrade():
            op.alter_column("threads", "tags", type_=sa.JSON())
        """,
    "rename a column by keyword": """
        def upgrade():
            op.alter_column(
                table_name="users",
                column_name="createdAt",
                new_column_name="created_at",
            )
        """,
    "create an index": """
        def upgrade():
            op.create_index("ix_steps_name", "steps", ["name"])
        """,
    "drop a contract index by its name alone": """
        def upgrade():
            op.drop_index("ix_steps_threadId")
        """,
    "rename another table into a contract name": """
        def upgrade():
            op.rename_table("steps_rebuilt", "steps")
        """,
    "drop a table": """
        def upgrade():
            op.drop_table("feedbacks")
        """,
    "batch-alter a contract table": """
        def upgrade():
            with op.batch_alter_table("steps") as batch:
                batch.drop_column("isError")
        """,
    "a table named by a module constant": """
        TABLE = "steps"

        def upgrade():
            op.drop_column(TABLE, "isError")
        """,
    "tables named by a loop": """
        def upgrade():
            for table in ("farms", "users"):
                op.create_table_comment(table, "changed")
        """,
    "SQL that drops a column": """
        def upgrade():
            op.execute('ALTER TABLE steps DROP COLUMN "waitForAnswer"')
        """,
    "SQL in sa.text that drops an index": """
        def upgrade():
            op.execute(sa.text('DROP INDEX "ix_steps_threadId"'))
        """,
    "SQL that turns tags into JSONB": """
        def upgrade():
            op.execute(
                "ALTER TABLE threads ALTER COLUMN tags TYPE jsonb USING tags::jsonb"
            )
        """,
    "SQL that creates a trigger": """
        def upgrade():
            op.execute(
                "CREATE TRIGGER t BEFORE UPDATE ON steps "
                "FOR EACH ROW EXECUTE FUNCTION f()"
            )
        """,
    "SQL through the connection": """
        def upgrade():
            op.get_bind().exec_driver_sql("DROP TABLE users CASCADE")
        """,
    "a downgrade that changes a contract table": """
        def upgrade():
            pass

        def downgrade():
            op.add_column("steps", sa.Column("command", sa.Text()))
        """,
}


@pytest.mark.parametrize("body", CONTRACT_CHANGES.values(), ids=CONTRACT_CHANGES.keys())
def test_a_contract_change_is_refused(history: Path, body: str) -> None:
    assert lint(history, body) == {("error", "contract-change")}


def test_creating_a_contract_table_again_is_refused_twice(history: Path) -> None:
    body = """
        def upgrade():
            op.create_table("users", sa.Column("id", sa.String(36), primary_key=True))
        """
    assert lint(history, body) == {
        ("error", "contract-change"),
        ("error", "table-created-twice"),
    }


def test_creating_a_domain_table_again_is_refused(history: Path) -> None:
    body = """
        def upgrade():
            op.execute("CREATE TABLE farms (id VARCHAR(36) PRIMARY KEY)")
        """
    assert lint(history, body) == {("error", "table-created-twice")}


UNREADABLE = {
    "SQL built at run time": """
        def upgrade():
            table = pick()
            op.execute(f"ALTER TABLE {table} DROP COLUMN x")
        """,
    "a table name computed at run time": """
        def upgrade():
            op.drop_column(pick(), "x")
        """,
    "SQL sqlglot cannot read that names a contract table": """
        def upgrade():
            op.execute("ALTER TABLE steps ENABLE TRIGGER ALL")
        """,
}


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_what_cannot_be_read_is_refused(history: Path, body: str) -> None:
    assert lint(history, body) == {("error", "lint-unreadable")}


ALLOWED = {
    "domain table changes": """
        def upgrade():
            op.add_column("farms", sa.Column("soil_notes", sa.Text()))
            op.create_index("ix_farms_name", "farms", ["name"])
            op.create_foreign_key(
                "fk_farm_owner", "farms", "users", ["owner_user_id"], ["id"]
            )
            op.execute("CREATE INDEX ix_parcels_crop ON parcels (crop)")
        """,
    "a new domain table with a key to users": """
        def upgrade():
            op.create_table(
                "harvests",
                sa.Column("id", sa.String(36), primary_key=True),
                sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id")),
            )
            op.execute(
                "CREATE TABLE yields (id VARCHAR(36), "
                "user_id VARCHAR(36) REFERENCES users (id))"
            )

        def downgrade():
            op.drop_table("yields")
            op.drop_table("harvests")
        """,
    "reading and writing rows of contract tables": """
        STEPS = sa.table("steps", sa.column("tags"))

        def upgrade():
            op.execute(
                "INSERT INTO thread_activity (thread_id, last_activity_at) "
                "SELECT id, \\"createdAt\\" FROM threads"
            )
            op.execute("UPDATE steps SET tags = NULL WHERE tags = ''")
            op.execute("TRUNCATE feedbacks")
            op.execute(STEPS.update().values(tags=None))
            op.execute("CREATE VIEW recent_threads AS SELECT * FROM threads")
        """,
}


@pytest.mark.parametrize("body", ALLOWED.values(), ids=ALLOWED.keys())
def test_allowed_changes_stay_quiet(history: Path, body: str) -> None:
    assert lint(history, body) == set()


def test_a_sanctioned_change_is_a_warning_for_review(history: Path) -> None:
    body = """
        def upgrade():
            allow_contract_ddl(op)
            op.add_column("steps", sa.Column("modes", sa.Text()))
        """
    assert lint(history, body) == {("warning", "contract-change-sanctioned")}


def test_the_sanction_covers_only_its_own_function(history: Path) -> None:
    body = """
        def upgrade():
            allow_contract_ddl(op)
            op.add_column("steps", sa.Column("modes", sa.Text()))

        def downgrade():
            op.drop_column("steps", "modes")
        """
    assert lint(history, body) == {
        ("warning", "contract-change-sanctioned"),
        ("error", "contract-change"),
    }


def test_a_second_root_is_not_a_baseline(history: Path) -> None:
    header = HEADER.replace(
        'down_revision = "0003_schema_guard"', "down_revision = None"
    )
    body = """
        def upgrade():
            op.drop_table("users")
        """
    assert lint(history, body, header=header) == {
        ("error", "lint-second-root"),
        ("error", "contract-change"),
    }


def test_yonca_s_own_revisions_pass() -> None:
    # The baseline creates the contract tables (and drops them on downgrade);
    # 0002 reads them in an INSERT ... SELECT backfill; 0003 adds the guard.
    assert lint_paths([MIGRATIONS_DIR / "versions"]) == []


def test_linting_one_file_reads_its_neighbours(history: Path) -> None:
    # Pre-commit names only the changed files; the baseline and the tables
    # created before are still known from the files beside them.
    assert lint_paths([history / "0001_chainlit_contract.py"]) == []
    assert lint_paths([history / "0002_domain_tables.py"]) == []


def test_a_missing_path_cannot_be_linted(tmp_path: Path) -> None:
    with pytest.raises(LintNotRunError, match="no such file"):
        lint_paths([tmp_path / "nowhere.py"])


def test_a_finding_names_the_line(history: Path) -> None:
    path = history / "0004_under_test.py"
    path.write_text(HEADER + "\n\ndef upgrade():\n    op.drop_table('users')\n")
    line = path.read_text().splitlines().index("    op.drop_table('users')") + 1

    (finding,) = lint_paths([path])

    assert finding.object.endswith(f"0004_under_test.py:{line}")
    assert "op.drop_table on users in upgrade()" in finding.found
    assert "allow_contract_ddl(op)" in finding.fix
