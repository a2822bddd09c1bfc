"""Compare the contract's indexes, by what they cover rather than their name.

An expected index is present when some index covers its columns first, in
order: a differently named index on the same columns, or a wider one that
starts with them, serves the same lookups. Uniqueness is stricter, both ways:
``users.identifier`` must be unique (by an index or a UNIQUE constraint), and
no other unique index may sit on a contract table, because it would refuse
rows that Chainlit writes.
"""

from __future__ import annotations

from yonca.guard.compare.fixes import quote, run_statement
from yonca.guard.findings import Finding, error
from yonca.guard.shapes import IndexShape, TableShape


def compare_indexes(expected: TableShape, found: TableShape) -> list[Finding]:
    findings = [
        finding
        for index in expected.indexes
        if (finding := _compare_expected(expected.name, index, found))
    ]
    allowed_unique = {index.columns for index in expected.indexes if index.unique}
    allowed_unique.add(expected.primary_key)
    findings.extend(
        _unexpected_unique(found.name, index)
        for index in found.indexes
        if index.unique and index.columns not in allowed_unique
    )
    return findings


def _compare_expected(
    table: str, expected: IndexShape, found: TableShape
) -> Finding | None:
    covering = [index for index in found.indexes if _covers(index, expected)]
    if expected.unique:
        if any(
            index.unique and index.columns == expected.columns for index in covering
        ):
            return None
        if covering:
            return _not_unique(table, expected, found)
        return _missing(table, expected, found)
    if covering:
        return None
    return _missing(table, expected, found)


def _covers(index: IndexShape, expected: IndexShape) -> bool:
    return index.columns[: len(expected.columns)] == expected.columns


def _describe(table: str, index: IndexShape) -> str:
    columns = ", ".join(quote(name) for name in index.columns)
    kind = "unique index" if index.unique else "index"
    return f"{kind} {index.name} on {table}({columns})"


def _create(table: str, index: IndexShape) -> str:
    unique = "UNIQUE " if index.unique else ""
    columns = ", ".join(quote(name) for name in index.columns)
    return (
        f"CREATE {unique}INDEX {quote(str(index.name))} ON {quote(table)} ({columns})"
    )


def _missing(table: str, expected: IndexShape, found: TableShape) -> Finding:
    return error(
        "index-missing",
        f"{table}({', '.join(expected.columns)})",
        expected=_describe(table, expected),
        found="no index on these columns",
        fix="run 'yonca db upgrade'; if the database is already at head, the "
        f"index was dropped by hand: {run_statement(_create(found.name, expected))}",
    )


def _not_unique(table: str, expected: IndexShape, found: TableShape) -> Finding:
    return error(
        "index-not-unique",
        f"{table}({', '.join(expected.columns)})",
        expected=_describe(table, expected),
        found="an index on these columns that is not unique",
        fix="remove duplicate rows, then "
        + run_statement(
            f"DROP INDEX {quote(str(expected.name))}; {_create(found.name, expected)}"
        ),
    )


def _unexpected_unique(table: str, index: IndexShape) -> Finding:
    name = str(index.name) if index.name else "<unnamed>"
    return error(
        "index-unexpected-unique",
        f"{table}({', '.join(index.columns)})",
        expected="no unique index besides the primary key and users.identifier",
        found=_describe(table, index),
        fix=run_statement(f"DROP INDEX {quote(name)}")
        + " (or drop the UNIQUE constraint of that name)",
    )
