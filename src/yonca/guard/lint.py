"""``yonca migrations lint``: the rules migrations must keep, checked unrun.

A migration may not change a contract table unless it is the baseline (the
one root revision, which creates them). What each migration does to which
table is read by ``migration_reader``; what it could not read is an error
too, because a linter that guesses is no guard.

A migration that must change a contract table (Chainlit itself changed the
contract) calls ``allow_contract_ddl(op)`` in the same function; its changes
are then reported as warnings, for review, instead of errors.

Across files, a table created by two migrations is an error: the original
deployment had two revisions creating one table, and whichever ran second
silently decided its shape.
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from yonca.contract import CONTRACT_TABLE_NAMES
from yonca.errors import YoncaError
from yonca.guard.findings import Finding, error, warning
from yonca.guard.migration_reader import (
    SANCTION,
    Migration,
    TableChange,
    read_migration,
)

logger = logging.getLogger(__name__)

SANCTION_HINT = (
    "keep the data in the metadata JSON or a domain table instead; if Chainlit "
    f"itself changed the contract, call {SANCTION}(op) in this function to "
    "sanction the change and have it reviewed"
)


class LintNotRunError(YoncaError):
    """The files to lint could not be found."""


def lint_paths(paths: Sequence[Path]) -> list[Finding]:
    """Lint migration files, or every ``*.py`` in the directories given.

    Files next to a named file are read too: the baseline and a table created
    twice can only be told from the whole history. Findings name only the
    files asked about.
    """
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise LintNotRunError(
            f"no such file or directory: {', '.join(missing)}; name migration "
            "files or the directory that holds them"
        )
    targets = sorted({path.resolve() for path in _expand(paths)})
    context = sorted(
        {sibling.resolve() for path in targets for sibling in path.parent.glob("*.py")}
        | set(targets)
    )
    migrations = {path: read_migration(path) for path in context}
    findings = lint_migrations(list(migrations.values()), targets=set(targets))
    logger.info("linted %d migrations: %d findings", len(targets), len(findings))
    return findings


def lint_migrations(
    migrations: list[Migration], *, targets: set[Path] | None = None
) -> list[Finding]:
    migrations = [migration for migration in migrations if migration.revision]
    roots = [migration for migration in migrations if migration.is_root]
    baseline = roots[0] if len(roots) == 1 else None

    def wanted(migration: Migration) -> bool:
        return targets is None or migration.path in targets

    findings: list[Finding] = []
    for migration in filter(wanted, migrations):
        findings.extend(_unreadable(migration))
        if migration is baseline:
            continue
        if migration.is_root:
            findings.append(_second_root(migration, roots))
        findings.extend(
            _contract_change(migration, change)
            for change in migration.changes
            if change.table.lower() in CONTRACT_TABLE_NAMES
        )
    findings.extend(
        finding
        for migration, finding in _created_twice(_in_history_order(migrations))
        if wanted(migration)
    )
    return findings


def _contract_change(migration: Migration, change: TableChange) -> Finding:
    location = _location(migration, change.line)
    found = f"{change.action} on {change.table} in {change.phase}()"
    if change.sanctioned:
        return warning(
            "contract-change-sanctioned",
            location,
            expected="no change to the Chainlit contract tables outside the baseline",
            found=found + f", sanctioned by {SANCTION}",
            fix="have it reviewed against Chainlit's schema; update yonca.contract "
            "in the same change",
        )
    return error(
        "contract-change",
        location,
        expected="no change to the Chainlit contract tables outside the baseline",
        found=found,
        fix=SANCTION_HINT,
    )


def _unreadable(migration: Migration) -> Iterator[Finding]:
    for line, what in migration.unreadable:
        yield error(
            "lint-unreadable",
            _location(migration, line),
            expected="table names and SQL the linter can read",
            found=f"cannot read {what}",
            fix="write table names as literals or module constants and SQL as "
            "literal strings, so that the linter can check them",
        )


def _second_root(migration: Migration, roots: list[Migration]) -> Finding:
    others = ", ".join(str(root.revision) for root in roots if root is not migration)
    return error(
        "lint-second-root",
        _location(migration, 1),
        expected="one root revision (the baseline), down_revision = None",
        found=f"{migration.revision} is a root besides {others}",
        fix="set its down_revision to the revision it follows",
    )


def _created_twice(
    migrations: list[Migration],
) -> Iterator[tuple[Migration, Finding]]:
    creators: dict[str, list[tuple[Migration, TableChange]]] = defaultdict(list)
    for migration in migrations:
        for change in migration.changes:
            if change.creates and change.phase != "downgrade":
                creators[change.table.lower()].append((migration, change))
    for table, creations in creators.items():
        first, _ = creations[0]
        for migration, change in creations[1:]:
            if migration is first:
                continue
            yield (
                migration,
                error(
                    "table-created-twice",
                    _location(migration, change.line),
                    expected=f"table {table} created by one migration",
                    found=f"{migration.revision} creates it again after "
                    f"{first.revision}",
                    fix="change the table in this migration (add_column, ...) instead "
                    "of creating it, or drop the second creation",
                ),
            )


def _in_history_order(migrations: list[Migration]) -> list[Migration]:
    """Order migrations from the root along their down_revision chain."""
    children: dict[object, list[Migration]] = defaultdict(list)
    for migration in migrations:
        for parent in migration.parents or (None,):
            children[parent].append(migration)
    ordered: list[Migration] = []
    queue = sorted(children[None], key=lambda migration: migration.path)
    while queue:
        migration = queue.pop(0)
        if migration in ordered:
            continue
        ordered.append(migration)
        queue.extend(sorted(children[migration.revision], key=lambda m: m.path))
    return ordered + sorted(
        (migration for migration in migrations if migration not in ordered),
        key=lambda migration: migration.path,
    )


def _location(migration: Migration, line: int) -> str:
    path = migration.path
    with contextlib.suppress(ValueError):
        path = path.relative_to(Path.cwd())
    return f"{path}:{line}"


def _expand(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(path.glob("*.py"))
        else:
            yield path
