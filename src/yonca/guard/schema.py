"""Compare a live schema with ``yonca.contract``, one kind of object at a time."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Connection

from yonca.contract import CONTRACT_TABLE_NAMES
from yonca.guard import lock
from yonca.guard.compare.columns import compare_columns
from yonca.guard.compare.indexes import compare_indexes
from yonca.guard.compare.keys import compare_foreign_keys, compare_primary_key
from yonca.guard.compare.tables import compare_comment, compare_tables
from yonca.guard.findings import Finding
from yonca.guard.shapes import SchemaShape, TableShape, expected_schema
from yonca.guard.snapshot import read_schema

logger = logging.getLogger(__name__)

# Tables that belong to the machinery rather than to the contract.
SUPPORT_TABLES = frozenset({"alembic_version", lock.migration_checksums.name})


def check_schema(connection: Connection) -> list[Finding]:
    """Read the connection's schema and compare it with the contract."""
    expected = expected_schema(connection.dialect)
    found = read_schema(connection)
    return compare_schema(expected, found)


def compare_schema(expected: SchemaShape, found: SchemaShape) -> list[Finding]:
    pairs, findings = compare_tables(expected, found, support_tables=SUPPORT_TABLES)
    # A misnamed table is compared as the table it stands for, and so are the
    # foreign keys that refer to it.
    names = {live.name: name for name, live in pairs.items()}
    for name, live in pairs.items():
        findings.extend(
            _compare_table(expected.tables[name], live, found.dialect, names)
        )
    logger.debug("schema comparison: %d findings", len(findings))
    return findings


def _compare_table(
    expected: TableShape, found: TableShape, dialect: str, names: dict[str, str]
) -> list[Finding]:
    contract = expected.name in CONTRACT_TABLE_NAMES
    findings = compare_columns(expected, found, dialect, contract=contract)
    findings += compare_primary_key(expected, found)
    findings += compare_foreign_keys(expected, found, contract=contract, names=names)
    if contract:
        findings += compare_indexes(expected, found)
        findings += compare_comment(expected, found, dialect)
    return findings
