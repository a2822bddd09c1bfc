"""Apply schema drift to a real database, inside a transaction the test rolls back.

PostgreSQL changes a column with one ALTER. SQLite cannot change a column's
type, nullability, default or keys in place; ``Rebuild`` does what SQLite's
documentation prescribes instead: create the corrected table, copy the rows,
drop the old one, rename the new one into its place, and recreate its
indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from yonca.guard.connect import run_on_database
from yonca.guard.ddl_guard import allow_contract_ddl
from yonca.guard.findings import Finding
from yonca.guard.schema import check_schema


@dataclass(frozen=True)
class Rebuild:
    """Rebuild a SQLite table from its CREATE statement with text replaced."""

    table: str
    replacements: tuple[tuple[str, str], ...]
    keep_indexes: bool = True

    def run(self, connection: Connection) -> None:
        create = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
            (self.table,),
        ).scalar_one()
        indexes = (
            connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (self.table,),
            )
            .scalars()
            .all()
        )
        for old, new in self.replacements:
            assert old in create, f"{old!r} is not in {create}"
            create = create.replace(old, new)

        rebuilt = f"{self.table}_rebuilt"
        connection.exec_driver_sql(
            create.replace(
                f"CREATE TABLE {self.table} (", f"CREATE TABLE {rebuilt} (", 1
            )
        )
        shared = sorted(
            set(_columns(connection, self.table)) & set(_columns(connection, rebuilt))
        )
        names = ", ".join(f'"{name}"' for name in shared)
        connection.exec_driver_sql(
            f"INSERT INTO {rebuilt} ({names}) SELECT {names} FROM {self.table}"
        )
        connection.exec_driver_sql(f"DROP TABLE {self.table}")
        connection.exec_driver_sql(f"ALTER TABLE {rebuilt} RENAME TO {self.table}")
        if self.keep_indexes:
            for index in indexes:
                connection.exec_driver_sql(index)


Step = str | Rebuild


def apply(connection: Connection, steps: Sequence[Step]) -> None:
    """Run drift statements as a sanctioned change (the DDL guard is installed)."""
    allow_contract_ddl(connection)
    for step in steps:
        if isinstance(step, Rebuild):
            step.run(connection)
        else:
            connection.exec_driver_sql(step)


def schema_findings_after(database_url: str, steps: Sequence[Step]) -> list[Finding]:
    """Apply ``steps``, check the schema, and roll everything back."""

    def drift_and_check(connection: Connection) -> list[Finding]:
        apply(connection, steps)
        return check_schema(connection)

    return run_on_database(database_url, drift_and_check)


def keys(findings: Sequence[Finding]) -> set[tuple[str, str, str]]:
    """What a test compares: each finding's severity, code and object."""
    return {
        (finding.severity.value, finding.code, finding.object) for finding in findings
    }


def _columns(connection: Connection, table: str) -> list[str]:
    rows = connection.exec_driver_sql(f"PRAGMA table_info({table})").all()
    return [row[1] for row in rows]
