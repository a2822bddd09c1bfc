"""The migration lock: what applying a migration records, and what it reveals.

Each applied revision leaves a checksum of its *normalized* source in
``yonca_migration_checksums``. Normalizing means: parse the file with Python's
``ast``, drop every docstring, and serialize the tree field by field, leaving
out empty fields. Formatting, comments and docstrings therefore do not count
as a change; any change to what the migration does (a name, a value, a call)
does. Empty fields are left out because newer Pythons add empty ones (such as
``type_params``) to the same code, which must not look like an edit.

The check then reports an applied revision whose file has changed since, one
whose file is gone, a database behind or ahead of the code, and a history
with several heads.
"""

from __future__ import annotations

import ast
import hashlib
import logging
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext, MigrationInfo
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Column, MetaData, String, Table, delete, inspect, select
from sqlalchemy.engine import Connection

from yonca.guard.findings import Finding, error, warning

logger = logging.getLogger(__name__)

# The revision that creates the checksum table; a database past it must have one.
LOCK_REVISION = "0003_schema_guard"
UPGRADE = "run 'yonca db upgrade'"

metadata = MetaData()

migration_checksums = Table(
    "yonca_migration_checksums",
    metadata,
    Column("revision", String(255), primary_key=True),
    Column("checksum", String(64), nullable=False),
    Column("recorded_at", String(30), nullable=False),
)


def normalized_source(source: str) -> str:
    """Return what a migration *does*, independent of formatting and docstrings."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ) and _has_docstring(node):
            node.body = node.body[1:]
    return _serialize(tree)


def checksum_source(source: str) -> str:
    return hashlib.sha256(normalized_source(source).encode()).hexdigest()


def checksum_file(path: str | Path) -> str:
    return checksum_source(Path(path).read_text(encoding="utf-8"))


def record_migration(
    ctx: MigrationContext,
    step: MigrationInfo,
    heads: Collection[Any],
    run_args: Mapping[str, Any],
) -> None:
    """Alembic's ``on_version_apply`` hook: keep the checksum table in step.

    Runs inside the migration's own transaction. Revisions applied before the
    checksum table exists are recorded by the revision that creates it.
    """
    connection = ctx.connection
    if connection is None or not has_checksum_table(connection):
        return
    revisions = [step.revision_map.get_revision(id) for id in step.up_revision_ids]
    if step.is_upgrade:
        record_revisions(connection, [r for r in revisions if isinstance(r, Script)])
    else:
        connection.execute(
            delete(migration_checksums).where(
                migration_checksums.c.revision.in_(step.up_revision_ids)
            )
        )


def record_revisions(connection: Connection, scripts: Iterable[Script]) -> None:
    """Record (or re-record) the checksum of each script's file."""
    recorded_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for script in scripts:
        checksum = checksum_file(script.path)
        connection.execute(
            delete(migration_checksums).where(
                migration_checksums.c.revision == script.revision
            )
        )
        connection.execute(
            migration_checksums.insert().values(
                revision=script.revision, checksum=checksum, recorded_at=recorded_at
            )
        )
        logger.debug("recorded checksum %s of %s", checksum[:12], script.revision)


def has_checksum_table(connection: Connection) -> bool:
    return inspect(connection).has_table(migration_checksums.name)


def check_migrations(connection: Connection, scripts: ScriptDirectory) -> list[Finding]:
    """Compare the database's migration history with the code's."""
    known = {script.revision: script for script in scripts.walk_revisions()}
    code_heads = tuple(scripts.get_heads())
    applied_heads = tuple(MigrationContext.configure(connection).get_current_heads())

    findings = []
    if len(code_heads) > 1:
        findings.append(_several_heads("code", code_heads))
    if len(applied_heads) > 1:
        findings.append(_several_heads("database", applied_heads))
    unknown = [revision for revision in applied_heads if revision not in known]
    findings.extend(_unknown(revision) for revision in unknown)

    applied = _applied(scripts, [head for head in applied_heads if head in known])
    # A database ahead of the code cannot be said to be behind it as well.
    if not unknown and any(revision not in applied for revision in known):
        findings.append(_pending(applied_heads, code_heads))
    findings.extend(_compare_checksums(connection, known, applied))
    return findings


def _applied(scripts: ScriptDirectory, heads: list[str]) -> set[str]:
    applied: set[str] = set()
    for head in heads:
        applied.update(
            script.revision for script in scripts.iterate_revisions(head, "base")
        )
    return applied


def _compare_checksums(
    connection: Connection, known: dict[str, Script], applied: set[str]
) -> list[Finding]:
    if not has_checksum_table(connection):
        return [_lock_table_missing()] if LOCK_REVISION in applied else []

    recorded = dict(
        connection.execute(
            select(migration_checksums.c.revision, migration_checksums.c.checksum)
        ).all()
    )
    findings = []
    for revision, checksum in sorted(recorded.items()):
        script = known.get(revision)
        if script is None:
            findings.append(_file_missing(revision))
        elif checksum_file(script.path) != checksum:
            findings.append(_changed(script))
    findings.extend(
        _unrecorded(revision) for revision in sorted(applied - set(recorded))
    )
    return findings


def _several_heads(where: str, heads: tuple[str, ...]) -> Finding:
    return error(
        "migration-heads",
        f"{where} history",
        expected="one head",
        found=f"{len(heads)} heads: {', '.join(heads)}",
        fix="write a merge revision whose down_revision lists every head "
        "('alembic merge heads' does this), then run 'yonca db upgrade'"
        if where == "code"
        else f"install the code that merges these heads, then {UPGRADE}",
    )


def _unknown(revision: str) -> Finding:
    return error(
        "migration-unknown",
        revision,
        expected="a revision this code ships",
        found=f"the database is at {revision}, which this code does not have",
        fix="run the Yonca version that applied it, or restore its migration file",
    )


def _pending(applied: tuple[str, ...], heads: tuple[str, ...]) -> Finding:
    return error(
        "migrations-pending",
        "database",
        expected=f"at {', '.join(heads)}",
        found=f"at {', '.join(applied)}" if applied else "no migrations applied",
        fix=UPGRADE,
    )


def _changed(script: Script) -> Finding:
    return error(
        "migration-changed",
        script.revision,
        expected=f"{Path(script.path).name} as it was when applied",
        found="the file has changed since (beyond formatting, comments and docstrings)",
        fix="restore the file from version control and put the change in a new "
        "revision instead",
    )


def _file_missing(revision: str) -> Finding:
    return error(
        "migration-missing",
        revision,
        expected=f"the file of applied revision {revision}",
        found="no such revision in the migrations",
        fix="restore the migration file from version control",
    )


def _unrecorded(revision: str) -> Finding:
    return warning(
        "migration-unrecorded",
        revision,
        expected="a checksum recorded when it was applied",
        found="no checksum (applied or stamped without the lock)",
        fix="check that its file is the one that was applied, then record it: "
        f"INSERT INTO {migration_checksums.name} VALUES ('{revision}', "
        "'<output of yonca migrations checksum FILE>', '<now, ISO-8601>')",
    )


def _lock_table_missing() -> Finding:
    return error(
        "migration-lock-missing",
        migration_checksums.name,
        expected="the checksum table created by " + LOCK_REVISION,
        found="no such table",
        fix="downgrade to the revision before it and run 'yonca db upgrade' again",
    )


def _has_docstring(node: ast.AST) -> bool:
    body = getattr(node, "body", None)
    if not body or not isinstance(body[0], ast.Expr):
        return False
    value = body[0].value
    return isinstance(value, ast.Constant) and isinstance(value.value, str)


def _serialize(node: object) -> str:
    if isinstance(node, ast.AST):
        fields = [
            f"{name}={_serialize(value)}"
            for name, value in ast.iter_fields(node)
            if value is not None and value != []
        ]
        return f"{type(node).__name__}({','.join(fields)})"
    if isinstance(node, list):
        return "[" + ",".join(_serialize(item) for item in node) + "]"
    return repr(node)
