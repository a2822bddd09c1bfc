"""Golden tests of the schema check, both directions, on both databases.

Each case changes a migrated database the way a person or a script would, and
says exactly which findings the check must produce: a drift must be reported
with the right finding, and an equivalent schema must stay quiet. Every case
runs in a transaction that is rolled back, so they share one database per
dialect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.guard.drift import Rebuild, Step, keys, schema_findings_after
from yonca.guard.findings import Severity, apply_strict

Expected = set[tuple[str, str, str]]


@dataclass(frozen=True)
class Case:
    name: str
    postgresql: tuple[Step, ...]
    sqlite: tuple[Step, ...]
    expected: Expected = field(default_factory=set)
    # Where the dialects rightly differ (SQLite folds case and keeps storage
    # classes), the SQLite expectation is given apart.
    expected_sqlite: Expected | None = None

    def steps(self, dialect: str) -> tuple[Step, ...]:
        return self.postgresql if dialect == "postgresql" else self.sqlite

    def findings(self, dialect: str) -> Expected:
        if dialect == "sqlite" and self.expected_sqlite is not None:
            return self.expected_sqlite
        return self.expected


def same(*statements: str) -> dict[str, tuple[Step, ...]]:
    return {"postgresql": statements, "sqlite": statements}


def error(code: str, object: str) -> tuple[str, str, str]:
    return ("error", code, object)


def warning(code: str, object: str) -> tuple[str, str, str]:
    return ("warning", code, object)


PRIMARY_KEY_LINE = ", \n\tPRIMARY KEY (id)\n)"

REPORTED = [
    Case(
        "tags turned into JSONB",
        postgresql=(
            "ALTER TABLE threads ALTER COLUMN tags TYPE jsonb USING tags::jsonb",
            "ALTER TABLE steps ALTER COLUMN tags TYPE jsonb USING tags::jsonb",
        ),
        sqlite=(
            Rebuild("threads", (("tags TEXT", "tags JSONB"),)),
            Rebuild("steps", (("tags TEXT", "tags JSONB"),)),
        ),
        expected={
            error("column-type", "threads.tags"),
            error("column-type", "steps.tags"),
        },
    ),
    Case(
        "a column dropped",
        **same('ALTER TABLE steps DROP COLUMN "waitForAnswer"'),
        expected={error("column-missing", "steps.waitForAnswer")},
    ),
    Case(
        "createdAt renamed to created_at",
        **same('ALTER TABLE users RENAME COLUMN "createdAt" TO created_at'),
        expected={error("column-misnamed", "users.createdAt")},
    ),
    Case(
        "createdAt folded to createdat",
        **same('ALTER TABLE users RENAME COLUMN "createdAt" TO createdat'),
        expected={error("column-misnamed", "users.createdAt")},
        # SQLite still finds "createdAt" under this spelling.
        expected_sqlite={warning("column-misnamed", "users.createdAt")},
    ),
    Case(
        "an extra column on a contract table",
        **same("ALTER TABLE steps ADD COLUMN command TEXT"),
        expected={warning("column-unexpected", "steps.command")},
    ),
    Case(
        "an id declared TEXT instead of VARCHAR(36)",
        postgresql=("ALTER TABLE threads ALTER COLUMN id TYPE text",),
        sqlite=(Rebuild("threads", (("id VARCHAR(36)", "id TEXT"),)),),
        expected={error("column-type", "threads.id")},
        # Both have TEXT affinity: SQLite stores the same values.
        expected_sqlite={warning("column-type", "threads.id")},
    ),
    Case(
        "an id declared UUID",
        postgresql=("ALTER TABLE steps ALTER COLUMN id TYPE uuid USING id::uuid",),
        sqlite=(Rebuild("steps", (("id VARCHAR(36)", "id UUID"),)),),
        # UUID has NUMERIC affinity on SQLite: an error there too.
        expected={error("column-type", "steps.id")},
    ),
    Case(
        "feedbacks.value made NOT NULL",
        postgresql=("ALTER TABLE feedbacks ALTER COLUMN value SET NOT NULL",),
        sqlite=(Rebuild("feedbacks", (("value INTEGER", "value INTEGER NOT NULL"),)),),
        expected={error("column-nullable", "feedbacks.value")},
    ),
    Case(
        "users.identifier made nullable",
        postgresql=("ALTER TABLE users ALTER COLUMN identifier DROP NOT NULL",),
        sqlite=(
            Rebuild(
                "users",
                (("identifier VARCHAR(255) NOT NULL", "identifier VARCHAR(255)"),),
            ),
        ),
        expected={error("column-nullable", "users.identifier")},
    ),
    Case(
        "the default of defaultOpen dropped",
        postgresql=('ALTER TABLE steps ALTER COLUMN "defaultOpen" DROP DEFAULT',),
        sqlite=(
            Rebuild(
                "steps",
                (('"defaultOpen" BOOLEAN DEFAULT false', '"defaultOpen" BOOLEAN'),),
            ),
        ),
        expected={error("column-default", "steps.defaultOpen")},
    ),
    Case(
        "the default of defaultOpen turned true",
        postgresql=('ALTER TABLE steps ALTER COLUMN "defaultOpen" SET DEFAULT true',),
        sqlite=(Rebuild("steps", (("DEFAULT false", "DEFAULT 1"),)),),
        expected={error("column-default", "steps.defaultOpen")},
    ),
    Case(
        "a primary key dropped",
        postgresql=("ALTER TABLE feedbacks DROP CONSTRAINT feedbacks_pkey",),
        sqlite=(Rebuild("feedbacks", ((PRIMARY_KEY_LINE, "\n)"),)),),
        expected={error("primary-key", "feedbacks")},
    ),
    Case(
        "an index dropped",
        **same('DROP INDEX "ix_elements_forId"'),
        expected={error("index-missing", "elements(forId)")},
    ),
    Case(
        "users.identifier no longer unique",
        **same(
            "DROP INDEX ix_users_identifier",
            "CREATE INDEX ix_users_identifier ON users (identifier)",
        ),
        expected={error("index-not-unique", "users(identifier)")},
    ),
    Case(
        "a unique index on a contract table",
        **same('CREATE UNIQUE INDEX steps_one_per_thread ON steps ("threadId")'),
        expected={error("index-unexpected-unique", "steps(threadId)")},
    ),
    Case(
        "a foreign key between contract tables",
        postgresql=(
            'ALTER TABLE steps ADD CONSTRAINT steps_thread_fk FOREIGN KEY ("threadId") '
            "REFERENCES threads (id) ON DELETE CASCADE",
        ),
        sqlite=(
            Rebuild(
                "steps",
                (
                    (
                        PRIMARY_KEY_LINE,
                        ", \n\tPRIMARY KEY (id), \n\tCONSTRAINT steps_thread_fk "
                        'FOREIGN KEY("threadId") REFERENCES threads (id) '
                        "ON DELETE CASCADE\n)",
                    ),
                ),
            ),
        ),
        expected={
            error(
                "foreign-key-unexpected",
                "steps(threadId) -> threads(id) ON DELETE CASCADE",
            )
        },
    ),
    Case(
        "a domain table's key to users dropped",
        postgresql=(
            "ALTER TABLE user_profiles DROP CONSTRAINT user_profiles_user_id_fkey",
        ),
        sqlite=(
            Rebuild(
                "user_profiles",
                (
                    (
                        ", \n\tFOREIGN KEY(user_id) REFERENCES users (id) "
                        "ON DELETE CASCADE",
                        "",
                    ),
                ),
            ),
        ),
        expected={
            error(
                "foreign-key", "user_profiles(user_id) -> users(id) ON DELETE CASCADE"
            )
        },
    ),
    Case(
        "a domain table's key to users no longer cascading",
        postgresql=(
            "ALTER TABLE user_profiles DROP CONSTRAINT user_profiles_user_id_fkey",
            "ALTER TABLE user_profiles ADD FOREIGN KEY (user_id) REFERENCES users (id)",
        ),
        sqlite=(Rebuild("user_profiles", (("ON DELETE CASCADE", ""),)),),
        expected={
            error(
                "foreign-key", "user_profiles(user_id) -> users(id) ON DELETE CASCADE"
            )
        },
    ),
    Case(
        "a domain table missing a column",
        **same("ALTER TABLE user_profiles DROP COLUMN display_name"),
        expected={error("column-missing", "user_profiles.display_name")},
    ),
    Case(
        "a contract table dropped",
        **same("DROP TABLE feedbacks"),
        expected={error("table-missing", "feedbacks")},
    ),
    Case(
        "a table Yonca does not define",
        **same('CREATE TABLE "Thread" (id TEXT PRIMARY KEY)'),
        expected={warning("table-unexpected", "Thread")},
    ),
    Case(
        "a contract table renamed with a capital",
        **same(
            "ALTER TABLE users RENAME TO users_renamed",
            'ALTER TABLE users_renamed RENAME TO "Users"',
        ),
        expected={error("table-misnamed", "users")},
        expected_sqlite={warning("table-misnamed", "users")},
    ),
    Case(
        "a table comment removed",
        postgresql=("COMMENT ON TABLE feedbacks IS NULL",),
        sqlite=(),
        expected={warning("table-comment", "feedbacks")},
        # SQLite keeps no comments; nothing to report.
        expected_sqlite=set(),
    ),
]

QUIET = [
    Case(
        "an index renamed",
        **same(
            'DROP INDEX "ix_threads_userId"',
            'CREATE INDEX threads_by_user ON threads ("userId")',
        ),
    ),
    Case(
        "an index widened",
        **same(
            'DROP INDEX "ix_steps_threadId"',
            'CREATE INDEX steps_by_thread_time ON steps ("threadId", "createdAt")',
        ),
    ),
    Case(
        "users.identifier unique by a constraint instead of an index",
        postgresql=(
            "DROP INDEX ix_users_identifier",
            "ALTER TABLE users ADD CONSTRAINT users_identifier_key UNIQUE (identifier)",
        ),
        sqlite=(
            Rebuild(
                "users",
                (
                    (
                        "identifier VARCHAR(255) NOT NULL",
                        "identifier VARCHAR(255) NOT NULL UNIQUE",
                    ),
                ),
                keep_indexes=False,
            ),
        ),
    ),
    Case(
        "an extra index that only adds speed",
        **same('CREATE INDEX steps_by_creation ON steps ("createdAt")'),
    ),
    Case(
        "types and defaults spelled differently",
        postgresql=(
            'ALTER TABLE steps ALTER COLUMN "defaultOpen" SET DEFAULT FALSE',
            "ALTER TABLE feedbacks ALTER COLUMN value TYPE int4",
            "ALTER TABLE threads ALTER COLUMN name TYPE character varying(255)",
            "ALTER TABLE steps ALTER COLUMN streaming TYPE bool",
        ),
        sqlite=(
            Rebuild(
                "steps",
                (
                    (
                        '"defaultOpen" BOOLEAN DEFAULT false',
                        '"defaultOpen" bool DEFAULT 0',
                    ),
                    ("streaming BOOLEAN", "streaming BOOL"),
                    ('"threadId" VARCHAR(36)', '"threadId" varchar( 36 )'),
                ),
            ),
            Rebuild("threads", (("name VARCHAR(255)", "name CHARACTER VARYING(255)"),)),
            Rebuild("feedbacks", (("value INTEGER", "value INT"),)),
        ),
    ),
    Case(
        "domain tables changed by their own migrations",
        **same(
            "ALTER TABLE farms ADD COLUMN soil_notes TEXT",
            "CREATE UNIQUE INDEX farms_by_name ON farms (name)",
        ),
    ),
]


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def shared_database(request: pytest.FixtureRequest, make_database: Callable) -> str:
    return make_database(request.param)


@pytest.fixture
def shared_dialect(shared_database: str) -> str:
    return "postgresql" if shared_database.startswith("postgresql") else "sqlite"


@pytest.mark.parametrize("case", REPORTED, ids=lambda case: case.name)
def test_drift_is_reported(
    case: Case, shared_database: str, shared_dialect: str
) -> None:
    findings = schema_findings_after(shared_database, case.steps(shared_dialect))

    assert keys(findings) == case.findings(shared_dialect)


@pytest.mark.parametrize("case", QUIET, ids=lambda case: case.name)
def test_equivalent_schema_stays_quiet(
    case: Case, shared_database: str, shared_dialect: str
) -> None:
    findings = schema_findings_after(shared_database, case.steps(shared_dialect))

    assert keys(findings) == set()


def test_the_migrated_schema_is_clean(shared_database: str) -> None:
    assert schema_findings_after(shared_database, ()) == []


def test_strict_counts_an_extra_column_as_an_error(shared_database: str) -> None:
    findings = schema_findings_after(
        shared_database, ("ALTER TABLE steps ADD COLUMN command TEXT",)
    )

    assert [f.severity for f in findings] == [Severity.WARNING]
    assert [f.severity for f in apply_strict(findings, True)] == [Severity.ERROR]


def test_a_finding_says_how_to_fix_it(
    shared_database: str, shared_dialect: str
) -> None:
    case = REPORTED[0]
    finding = next(
        f
        for f in schema_findings_after(shared_database, case.steps(shared_dialect))
        if f.object == "threads.tags"
    )

    assert finding.expected == "TEXT"
    assert "JSONB" in finding.found.upper()
    assert "allow_contract_ddl(op)" in finding.fix
    if shared_dialect == "postgresql":
        assert 'ALTER TABLE "threads" ALTER COLUMN "tags" TYPE TEXT' in finding.fix
    else:
        assert "op.batch_alter_table('threads')" in finding.fix


def test_an_empty_database_is_one_finding(
    make_database: Callable, dialect: str
) -> None:
    url = make_database(dialect, migrate=False)
    if dialect == "sqlite":
        # An empty file: the check refuses to create a database by itself.
        Path(make_url(url).database or "").touch()
    findings = schema_findings_after(url, ())

    assert keys(findings) == {error("schema-missing", "database")}
    assert "yonca db upgrade" in findings[0].fix
