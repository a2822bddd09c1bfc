"""How the report phrases a repair of a contract table.

Repairing drift is itself a change to a contract table, so it has to go
through a sanctioned migration: one that calls ``allow_contract_ddl(op)``
before its DDL, which lets it past both the migration linter and the
PostgreSQL DDL guard.
"""

from __future__ import annotations

SANCTIONED = "in a new migration that calls allow_contract_ddl(op) first"


def quote(name: str) -> str:
    """Quote an identifier the way both PostgreSQL and SQLite read it."""
    return '"' + name.replace('"', '""') + '"'


def run_statement(statement: str) -> str:
    return f"{SANCTIONED}, run: {statement}"


def alter_column(table: str, change: str, postgresql: str, dialect: str) -> str:
    """Phrase a column change: one statement on PostgreSQL, a rebuild on SQLite.

    SQLite cannot change a column's type, nullability or default in place;
    Alembic's batch mode copies the table into a corrected one.
    """
    if dialect == "postgresql":
        return run_statement(f"ALTER TABLE {quote(table)} ALTER COLUMN {postgresql}")
    return (
        f"{SANCTIONED}, rebuild the table with "
        f"op.batch_alter_table({table!r}) so that {change}"
    )
