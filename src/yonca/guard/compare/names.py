"""Pair expected names with found ones, noticing names that were mangled.

The original deployment lost ``createdAt`` to ``created_at`` and
``createdat``. A name that differs from the expected one only in case or
underscores is paired with it as *misnamed* rather than reported as one
missing and one unexpected name, so that the report can say "rename it".

SQLite resolves identifiers without regard to case, so there a case-only
difference still works (``usable``); PostgreSQL does not fold quoted names, so
there it does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class NameMatch:
    # expected name -> found name, for every expected name that was found in
    # some spelling; the misnamed ones are also listed in ``misnamed``.
    pairs: dict[str, str] = field(default_factory=dict)
    misnamed: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)


def match_names(expected: Iterable[str], found: Iterable[str]) -> NameMatch:
    expected = list(expected)
    remaining = list(found)
    match = NameMatch()

    for name in expected:
        if name in remaining:
            match.pairs[name] = name
            remaining.remove(name)

    for name in expected:
        if name in match.pairs:
            continue
        spelling = next(
            (other for other in remaining if _squash(other) == _squash(name)), None
        )
        if spelling is None:
            match.missing.append(name)
            continue
        match.pairs[name] = spelling
        match.misnamed[name] = spelling
        remaining.remove(spelling)

    match.unexpected = remaining
    return match


def usable(expected: str, found: str, dialect: str) -> bool:
    """Say whether queries naming ``expected`` reach a column named ``found``."""
    if expected == found:
        return True
    return dialect == "sqlite" and expected.lower() == found.lower()


def _squash(name: str) -> str:
    return name.lower().replace("_", "")
