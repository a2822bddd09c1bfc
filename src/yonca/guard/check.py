"""The whole check of a database: schema, migrations, DDL guard and data.

``check_database`` is what ``yonca db check`` and the start-up guard call. It
returns findings; it raises ``CheckNotRunError`` only when it could not look
at all (no server, no such file), which the CLI turns into exit status 2.
"""

from __future__ import annotations

import logging
from functools import partial

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from yonca.guard.connect import CheckNotRunError, run_on_database
from yonca.guard.data import check_data
from yonca.guard.ddl_guard import check_guard
from yonca.guard.findings import Finding, apply_strict, warning
from yonca.guard.lock import check_migrations
from yonca.guard.schema import check_schema
from yonca.migrations import script_directory

logger = logging.getLogger(__name__)

__all__ = ["CheckNotRunError", "check_connection", "check_database"]

# Codes of findings about the schema itself; with any of them as an error,
# the data queries (which name the contract's columns) would fail.
SCHEMA_CODES = ("schema-", "table-", "column-", "primary-key")


def check_database(
    database_url: str, *, data: bool = False, strict: bool = False
) -> list[Finding]:
    """Check the database at ``database_url``.

    ``data`` adds the scan for broken references and JSON, which reads whole
    tables; ``strict`` counts every warning as an error.
    """
    check = partial(check_sync_connection, data=data)
    return apply_strict(run_on_database(database_url, check), strict)


async def check_connection(
    connection: AsyncConnection, *, data: bool = False
) -> list[Finding]:
    """Check the database behind an open connection."""
    return await connection.run_sync(check_sync_connection, data=data)


def check_sync_connection(
    connection: Connection, *, data: bool = False
) -> list[Finding]:
    logger.info("checking the schema against the contract")
    findings = check_schema(connection)
    logger.info("checking the migration history and lock")
    findings += check_migrations(connection, script_directory())
    findings += check_guard(connection)
    if data:
        findings += _check_data_if_readable(connection, findings)
    return findings


def _check_data_if_readable(
    connection: Connection, findings: list[Finding]
) -> list[Finding]:
    if any(f.is_error and f.code.startswith(SCHEMA_CODES) for f in findings):
        return [
            warning(
                "data-not-checked",
                "data",
                expected="a schema without errors, so that the data can be read",
                found="schema errors",
                fix="fix the schema errors above, then run "
                "'yonca db check --data' again",
            )
        ]
    logger.info("checking references and JSON documents")
    return check_data(connection)
