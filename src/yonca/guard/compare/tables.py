"""Compare which tables exist, what they are called and their comments."""

from __future__ import annotations

import logging
from collections.abc import Collection

from yonca.guard.compare.fixes import quote, run_statement
from yonca.guard.compare.names import match_names, usable
from yonca.guard.findings import Finding, error, warning
from yonca.guard.shapes import SchemaShape, TableShape

logger = logging.getLogger(__name__)

UPGRADE = "run 'yonca db upgrade'"


def compare_tables(
    expected: SchemaShape, found: SchemaShape, *, support_tables: Collection[str]
) -> tuple[dict[str, TableShape], list[Finding]]:
    """Pair each expected table with the live one; report the rest.

    Returns the live table for every expected one found in some spelling, so
    that the column, key and index comparisons can run on it.
    """
    candidates = [name for name in found.tables if name not in support_tables]
    match = match_names(expected.tables, candidates)
    if not match.pairs:
        return {}, [_schema_missing(len(expected.tables))]

    findings = [_table_missing(name) for name in match.missing]
    for name, spelling in match.misnamed.items():
        findings.append(_table_misnamed(name, spelling, found.dialect))
    findings.extend(_table_unexpected(name) for name in match.unexpected)

    pairs = {name: found.tables[spelling] for name, spelling in match.pairs.items()}
    logger.debug("paired %d of %d expected tables", len(pairs), len(expected.tables))
    return pairs, findings


def compare_comment(
    expected: TableShape, found: TableShape, dialect: str
) -> list[Finding]:
    """Check the warning comment PostgreSQL keeps on each contract table."""
    if dialect != "postgresql" or expected.comment is None:
        return []
    if found.comment == expected.comment:
        return []
    comment = expected.comment.replace("'", "''")
    return [
        warning(
            "table-comment",
            expected.name,
            expected=f"comment {expected.comment!r}",
            found=f"comment {found.comment!r}" if found.comment else "no comment",
            fix=run_statement(f"COMMENT ON TABLE {quote(found.name)} IS '{comment}'"),
        )
    ]


def _schema_missing(table_count: int) -> Finding:
    return error(
        "schema-missing",
        "database",
        expected=f"Yonca's {table_count} tables",
        found="none of them",
        fix=f"{UPGRADE} to create them (or check that the URL names the right "
        "database)",
    )


def _table_missing(name: str) -> Finding:
    return error(
        "table-missing",
        name,
        expected=f"table {name}",
        found="no such table",
        fix=f"{UPGRADE}; if the database is already at head, the table was dropped "
        "outside the migrations: restore it from a backup",
    )


def _table_misnamed(name: str, spelling: str, dialect: str) -> Finding:
    make = warning if usable(name, spelling, dialect) else error
    return make(
        "table-misnamed",
        name,
        expected=f"table {quote(name)}",
        found=f"table {quote(spelling)}",
        fix=run_statement(f"ALTER TABLE {quote(spelling)} RENAME TO {quote(name)}"),
    )


def _table_unexpected(name: str) -> Finding:
    return warning(
        "table-unexpected",
        name,
        expected="only the tables defined in yonca.contract",
        found=f"table {name}",
        fix="drop it if nothing uses it, or define it in yonca.contract and create "
        "it in a migration",
    )
