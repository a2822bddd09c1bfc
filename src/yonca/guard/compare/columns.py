"""Compare a table's columns: names, types, nullability and defaults.

Contract tables are compared in full. Domain tables are Yonca's own and
evolve through ordinary migrations, so for them only a missing column counts.
"""

from __future__ import annotations

from functools import cache

from sqlglot import exp, parse_one
from sqlglot.errors import SqlglotError

from yonca.guard.column_types import Match, compare_types
from yonca.guard.compare.fixes import alter_column, quote, run_statement
from yonca.guard.compare.names import match_names, usable
from yonca.guard.findings import Finding, error, warning
from yonca.guard.shapes import ColumnShape, TableShape

# SQLite has no boolean type: its FALSE and TRUE are the integers 0 and 1.
SQLITE_BOOLEAN_DEFAULTS = {"0": "false", "1": "true"}


def compare_columns(
    expected: TableShape, found: TableShape, dialect: str, *, contract: bool
) -> list[Finding]:
    match = match_names(expected.column_names, found.column_names)
    findings = [
        _column_missing(expected.name, expected.column(name)) for name in match.missing
    ]
    for name, spelling in match.misnamed.items():
        findings.append(
            _column_misnamed(expected.name, found.name, name, spelling, dialect)
        )
    if not contract:
        return findings

    findings.extend(
        _column_unexpected(expected.name, found.name, name) for name in match.unexpected
    )
    for name, spelling in match.pairs.items():
        findings.extend(
            compare_column(
                expected.name, expected.column(name), found.column(spelling), dialect
            )
        )
    return findings


def compare_column(
    table: str, expected: ColumnShape, found: ColumnShape, dialect: str
) -> list[Finding]:
    findings = []
    type_finding = _compare_type(table, expected, found, dialect)
    if type_finding:
        findings.append(type_finding)
    if expected.nullable != found.nullable:
        findings.append(_nullability(table, expected, dialect))
    if not same_default(expected.default, found.default, dialect):
        findings.append(_default(table, expected, found, dialect))
    return findings


def same_default(expected: str | None, found: str | None, dialect: str) -> bool:
    return canonical_default(expected, dialect) == canonical_default(found, dialect)


@cache
def canonical_default(default: str | None, dialect: str) -> str | None:
    """Spell a default one way: ``'az'::character varying`` is ``'az'``."""
    if default is None:
        return None
    try:
        expression = parse_one(default, read="postgres")
    except SqlglotError:
        return " ".join(default.lower().split())
    while isinstance(expression, exp.Cast | exp.Paren):
        expression = expression.this
    spelled = expression.sql(dialect="postgres").lower()
    if dialect == "sqlite":
        return SQLITE_BOOLEAN_DEFAULTS.get(spelled, spelled)
    return spelled


def _compare_type(
    table: str, expected: ColumnShape, found: ColumnShape, dialect: str
) -> Finding | None:
    match = compare_types(expected.declared_type, found.declared_type, dialect)
    if match is Match.SAME:
        return None
    object = f"{table}.{expected.name}"
    wanted = expected.declared_type
    fix = alter_column(
        table,
        f"{quote(expected.name)} is declared {wanted}",
        f"{quote(expected.name)} TYPE {wanted} USING {quote(found.name)}::{wanted}",
        dialect,
    )
    if match is Match.SAME_STORAGE:
        return warning(
            "column-type",
            object,
            expected=wanted,
            found=f"{found.declared_type} (SQLite stores both alike; a copy of this "
            "database to PostgreSQL would not)",
            fix=fix,
        )
    return error(
        "column-type",
        object,
        expected=wanted,
        found=found.declared_type or "no declared type",
        fix=fix,
    )


def _nullability(table: str, expected: ColumnShape, dialect: str) -> Finding:
    name = quote(expected.name)
    if expected.nullable:
        wanted, seen, change = "NULL allowed", "NOT NULL", f"{name} DROP NOT NULL"
    else:
        wanted, seen, change = "NOT NULL", "NULL allowed", f"{name} SET NOT NULL"
    return error(
        "column-nullable",
        f"{table}.{expected.name}",
        expected=wanted,
        found=seen,
        fix=alter_column(table, f"{name} is {wanted}", change, dialect),
    )


def _default(
    table: str, expected: ColumnShape, found: ColumnShape, dialect: str
) -> Finding:
    name = quote(expected.name)
    if expected.default is None:
        wanted, change = "no default", f"{name} DROP DEFAULT"
    else:
        wanted = f"DEFAULT {expected.default}"
        change = f"{name} SET {wanted}"
    return error(
        "column-default",
        f"{table}.{expected.name}",
        expected=wanted,
        found=f"DEFAULT {found.default}" if found.default is not None else "no default",
        fix=alter_column(table, f"{name} has {wanted}", change, dialect),
    )


def _column_missing(table: str, column: ColumnShape) -> Finding:
    add = f"ALTER TABLE {quote(table)} ADD COLUMN {quote(column.name)} "
    add += column.declared_type
    return error(
        "column-missing",
        f"{table}.{column.name}",
        expected=f"column {quote(column.name)} {column.declared_type}",
        found="no such column",
        fix="run 'yonca db upgrade'; if the database is already at head, the column "
        f"was dropped by hand: {run_statement(add)}",
    )


def _column_misnamed(
    table: str, found_table: str, name: str, spelling: str, dialect: str
) -> Finding:
    works = usable(name, spelling, dialect)
    make = warning if works else error
    found = f"column {quote(spelling)}"
    if works:
        found += " (SQLite matches it regardless of case, but SELECT * returns it "
        "under this spelling)"
    return make(
        "column-misnamed",
        f"{table}.{name}",
        expected=f"column {quote(name)}",
        found=found,
        fix=run_statement(
            f"ALTER TABLE {quote(found_table)} RENAME COLUMN {quote(spelling)} "
            f"TO {quote(name)}"
        ),
    )


def _column_unexpected(table: str, found_table: str, name: str) -> Finding:
    drop = f"ALTER TABLE {quote(found_table)} DROP COLUMN {quote(name)}"
    return warning(
        "column-unexpected",
        f"{table}.{name}",
        expected="only the contract's columns",
        found=f"extra column {quote(name)}",
        fix="move its data into the metadata JSON or a domain table, then "
        + run_statement(drop),
    )
