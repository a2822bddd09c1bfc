"""The start-up guard: refuse to serve a database that does not match the contract.

``yonca serve`` and the Chainlit app call ``verify_database`` before taking
requests. It runs the same check as ``yonca db check`` without the data scan,
which reads whole tables; warnings are logged and do not stop the app.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from yonca.errors import SchemaNotReadyError
from yonca.guard.check import check_database
from yonca.guard.connect import display_url
from yonca.guard.findings import Finding, render_plain

logger = logging.getLogger(__name__)

# Findings that 'yonca db upgrade' repairs by itself.
UPGRADE_REPAIRS = frozenset({"schema-missing", "migrations-pending"})


class SchemaCheckFailedError(SchemaNotReadyError):
    """The start-up check found errors; ``findings`` holds all of them."""

    def __init__(self, message: str, findings: Sequence[Finding]) -> None:
        super().__init__(message)
        self.findings = tuple(findings)


def verify_database(database_url: str) -> None:
    """Check the database and raise ``SchemaNotReadyError`` on any error finding."""
    started = time.perf_counter()
    findings = check_database(database_url)
    logger.info(
        "start-up schema check of %s took %.0f ms",
        display_url(database_url),
        (time.perf_counter() - started) * 1000,
    )

    for finding in findings:
        if not finding.is_error:
            logger.warning(
                "schema check: %s %s: found %s; fix: %s",
                finding.object,
                finding.code,
                finding.found,
                finding.fix,
            )
    if any(finding.is_error for finding in findings):
        raise SchemaCheckFailedError(_message(database_url, findings), findings)


def _message(database_url: str, findings: Sequence[Finding]) -> str:
    # The commands read the same settings as the app, so they need no URL.
    if {finding.code for finding in findings if finding.is_error} <= UPGRADE_REPAIRS:
        advice = "run 'yonca db upgrade', then start again"
    else:
        advice = (
            "repair what the report names (each finding says how), then start "
            "again; 'yonca db check' shows this report"
        )
    return (
        f"the database at {display_url(database_url)} does not match what this "
        f"Yonca expects:\n{render_plain(findings)}\n{advice}"
    )
