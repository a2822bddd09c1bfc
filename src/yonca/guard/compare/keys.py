"""Compare primary keys and foreign keys.

The contract tables have no foreign keys on purpose: Chainlit writes a step
while its thread may still be on its way, and a key would refuse the step.
Chainlit's own documented schema adds cascading keys; here they are drift.
The domain tables, on the other hand, must keep theirs to ``users.id``.
"""

from __future__ import annotations

from yonca.guard.compare.fixes import quote, run_statement
from yonca.guard.findings import Finding, error
from yonca.guard.shapes import ForeignKeyShape, TableShape


def compare_primary_key(expected: TableShape, found: TableShape) -> list[Finding]:
    if set(expected.primary_key) == set(found.primary_key):
        return []
    columns = ", ".join(quote(name) for name in expected.primary_key)
    fix = run_statement(f"ALTER TABLE {quote(found.name)} ADD PRIMARY KEY ({columns})")
    if found.primary_key:
        fix += ", after dropping the current primary key"
    return [
        error(
            "primary-key",
            expected.name,
            expected=f"PRIMARY KEY ({columns})",
            found=_primary_key_or_none(found.primary_key),
            fix=fix,
        )
    ]


def compare_foreign_keys(
    expected: TableShape,
    found: TableShape,
    *,
    contract: bool,
    names: dict[str, str] | None = None,
) -> list[Finding]:
    """Compare keys; ``names`` maps misnamed live tables to the expected names."""
    if contract:
        return [_unexpected(found, key) for key in found.foreign_keys]
    return [
        finding
        for key in expected.foreign_keys
        if (finding := _compare_expected(expected.name, key, found, names or {}))
    ]


def _compare_expected(
    table: str, expected: ForeignKeyShape, found: TableShape, names: dict[str, str]
) -> Finding | None:
    same_columns = [
        key for key in found.foreign_keys if key.columns == expected.columns
    ]
    if any(_same_reference(expected, key, names) for key in same_columns):
        return None
    return error(
        "foreign-key",
        expected.describe(table),
        expected=expected.describe(table),
        found="; ".join(key.describe(found.name) for key in same_columns)
        or "no foreign key on these columns",
        fix="run 'yonca db upgrade'; if the database is already at head, restore "
        "the key in a new migration with op.create_foreign_key(...)",
    )


def _same_reference(
    expected: ForeignKeyShape, found: ForeignKeyShape, names: dict[str, str]
) -> bool:
    referred = names.get(found.referred_table, found.referred_table)
    return (
        expected.referred_table == referred
        and expected.referred_columns == found.referred_columns
        and _on_delete(expected.on_delete) == _on_delete(found.on_delete)
    )


def _on_delete(rule: str | None) -> str:
    # PostgreSQL reports the default rule as NO ACTION, SQLite as nothing.
    return (rule or "NO ACTION").upper()


def _unexpected(found: TableShape, key: ForeignKeyShape) -> Finding:
    name = key.name or "<unnamed>"
    drop = f"ALTER TABLE {quote(found.name)} DROP CONSTRAINT {quote(name)}"
    return error(
        "foreign-key-unexpected",
        key.describe(found.name),
        expected="no foreign keys between the contract tables (Chainlit writes a "
        "step before its thread may exist; the data layer keeps integrity)",
        found=f"foreign key {name}",
        fix=run_statement(drop)
        if key.name
        else "rebuild the table without the key, in a new migration that calls "
        "allow_contract_ddl(op) first",
    )


def _primary_key_or_none(columns: tuple[str, ...]) -> str:
    if not columns:
        return "no primary key"
    return "PRIMARY KEY (" + ", ".join(quote(name) for name in columns) + ")"
