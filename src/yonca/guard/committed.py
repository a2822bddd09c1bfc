"""``yonca migrations lock``: the migration lock before a commit.

The database records what was applied; before that, version control records
what was committed. A migration file that exists at a reference commit
(``HEAD`` by default) must be the same there and in the working tree, by the
lock's normalized checksum: reformatting it or editing comments and
docstrings is allowed, changing what it does is not. A history with several
heads is refused too. New files are not judged here; the linter reads them.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from yonca.errors import YoncaError
from yonca.guard.findings import Finding, error
from yonca.guard.lock import checksum_file, checksum_source
from yonca.guard.migration_reader import read_migration

logger = logging.getLogger(__name__)


class LockNotRunError(YoncaError):
    """The committed versions of the migrations could not be read."""


def check_committed(paths: Sequence[Path], *, against: str = "HEAD") -> list[Finding]:
    files = sorted(set(_expand(paths)))
    findings = [
        finding for path in files if (finding := _compare(path, against)) is not None
    ]
    for directory in sorted({path.parent for path in files}):
        findings.extend(_several_heads(directory))
    logger.info("compared %d migrations with %s", len(files), against)
    return findings


def _compare(path: Path, against: str) -> Finding | None:
    committed = _committed_source(path, against)
    if committed is None:
        logger.debug("%s is new since %s", path, against)
        return None
    try:
        unchanged = checksum_source(committed) == checksum_file(path)
    except SyntaxError as exc:
        return error(
            "migration-unreadable",
            str(path),
            expected="a Python file",
            found=f"a syntax error: {exc}",
            fix="fix the syntax error",
        )
    if unchanged:
        return None
    return error(
        "migration-changed",
        str(path),
        expected=f"the migration as committed at {against}",
        found="a change to what it does (formatting, comments and docstrings "
        "do not count)",
        fix=f"restore it ('git checkout {against} -- {path}') and put the change "
        "in a new revision",
    )


def _committed_source(path: Path, against: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "show", f"{against}:./{path.name}"],
            cwd=path.parent,
            capture_output=True,
            text=True,
            check=False,
            # git's messages are read below; keep them in English.
            env={**os.environ, "LC_ALL": "C"},
        )
    except FileNotFoundError:
        raise LockNotRunError(
            "git is not installed; the lock compares migrations with their "
            "committed versions, so it needs git"
        ) from None
    if result.returncode == 0:
        return result.stdout
    if "exists on disk, but not in" in result.stderr or "does not exist in" in (
        result.stderr
    ):
        return None
    raise LockNotRunError(
        f"could not read {path.name} at {against}: {result.stderr.strip()}; run "
        "this inside a git repository, against a commit that exists"
    )


def _several_heads(directory: Path) -> list[Finding]:
    migrations = [read_migration(path) for path in sorted(directory.glob("*.py"))]
    revisions = {m.revision for m in migrations if m.revision}
    parents = {
        parent for m in migrations for parent in m.parents if isinstance(parent, str)
    }
    heads = sorted(revisions - parents)
    if len(heads) <= 1:
        return []
    return [
        error(
            "migration-heads",
            str(directory),
            expected="one head",
            found=f"{len(heads)} heads: {', '.join(heads)}",
            fix="write a merge revision whose down_revision lists every head "
            "('alembic merge heads' does this)",
        )
    ]


def _expand(paths: Iterable[Path]) -> Iterable[Path]:
    for path in paths:
        if path.is_dir():
            yield from path.glob("*.py")
        elif path.exists():
            yield path
        else:
            raise LockNotRunError(
                f"no such file or directory: {path}; name migration files or the "
                "directory that holds them"
            )
