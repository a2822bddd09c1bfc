"""``yonca db check --data``: broken references the contract cannot enforce.

The contract tables have no foreign keys, so nothing in the database stops a
step from outliving its thread. These checks find such rows, and JSON text
that no longer parses. They read whole tables, which is why they run only
when asked for and never at start-up.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from sqlalchemy import Column, exists, func, select
from sqlalchemy.engine import Connection

from yonca.contract import elements, feedbacks, steps, threads, users
from yonca.guard.compare.fixes import quote
from yonca.guard.findings import Finding, error

logger = logging.getLogger(__name__)

# Rows named in a finding, so that a person can look at a few.
EXAMPLES = 5
# Rows fetched at a time while parsing JSON, to keep memory flat.
BATCH_SIZE = 1000

# The contract keeps these JSON documents in TEXT columns.
JSON_COLUMNS: tuple[Column, ...] = (
    users.c.metadata,
    threads.c.tags,
    threads.c.metadata,
    steps.c.metadata,
    steps.c.tags,
    steps.c.generation,
    elements.c.playerConfig,
    elements.c.props,
)


@dataclass(frozen=True)
class Reference:
    """A column that names a row of another table, which must exist."""

    column: Column
    target: Column
    # What a row has lost when the target is gone, in the report's words.
    lost: str


REFERENCES = (
    Reference(steps.c.threadId, threads.c.id, "thread"),
    Reference(steps.c.parentId, steps.c.id, "parent step"),
    Reference(elements.c.threadId, threads.c.id, "thread"),
    Reference(elements.c.forId, steps.c.id, "step"),
    Reference(feedbacks.c.threadId, threads.c.id, "thread"),
    Reference(feedbacks.c.forId, steps.c.id, "step"),
    Reference(threads.c.userId, users.c.id, "user"),
)


def check_data(connection: Connection) -> list[Finding]:
    findings = [
        finding
        for reference in REFERENCES
        if (finding := _check_reference(connection, reference))
    ]
    findings.extend(
        finding
        for column in JSON_COLUMNS
        if (finding := _check_json(connection, column))
    )
    return findings


def _check_reference(connection: Connection, reference: Reference) -> Finding | None:
    column, target = reference.column, reference.target
    table = column.table
    primary_key = table.c.id
    # The target is aliased so that a step may point at another step.
    targets = target.table.alias("referenced")
    broken = column.is_not(None) & ~exists().where(targets.c[target.name] == column)
    total = connection.execute(select(func.count()).select_from(table).where(broken))
    count = total.scalar_one()
    logger.info("%s whose %s is gone: %d", table.name, reference.lost, count)
    if not count:
        return None

    examples = connection.execute(
        select(primary_key).where(broken).order_by(primary_key).limit(EXAMPLES)
    ).scalars()
    where = (
        f"{quote(column.name)} IS NOT NULL AND {quote(column.name)} NOT IN "
        f"(SELECT {quote(target.name)} FROM {quote(target.table.name)})"
    )
    return error(
        "data-orphan",
        f"{table.name}.{column.name}",
        expected=f"each row's {reference.lost} exists",
        found=f"{_rows(count)} of {table.name} whose {reference.lost} is gone "
        f"(e.g. {', '.join(examples)})",
        fix=f"restore the missing {reference.lost}s from a backup, or delete the "
        f"rows: DELETE FROM {quote(table.name)} WHERE {where}",
    )


def _check_json(connection: Connection, column: Column) -> Finding | None:
    table = column.table
    query = select(table.c.id, column).where(column.is_not(None)).order_by(table.c.id)
    result = connection.execution_options(yield_per=BATCH_SIZE).execute(query)
    broken = [row_id for row_id, document in result if not _parses(document)]
    logger.info("%s.%s that does not parse: %d", table.name, column.name, len(broken))
    if not broken:
        return None
    return error(
        "data-json",
        f"{table.name}.{column.name}",
        expected="JSON text",
        found=f"{_rows(len(broken))} whose value does not parse "
        f"(e.g. {', '.join(broken[:EXAMPLES])})",
        fix=f"repair or clear the value in those rows: UPDATE {quote(table.name)} "
        f"SET {quote(column.name)} = NULL WHERE id IN (...)",
    )


def _rows(count: int) -> str:
    return "1 row" if count == 1 else f"{count} rows"


def _parses(document: str) -> bool:
    try:
        json.loads(document)
    except (TypeError, ValueError):
        return False
    return True
