"""When a column's declared type counts as the contract's type, per dialect.

PostgreSQL normalises what it is told (``varchar(36)`` reads back as
``character varying(36)``) and enforces it, so a type is equivalent when it is
the same type with the same parameters, whatever the spelling.

SQLite keeps the declared type name verbatim and enforces only its *affinity*
(TEXT, NUMERIC, INTEGER, REAL, BLOB), derived from the name by fixed rules.
Spellings of the same type (``varchar( 36 )``, ``CHARACTER VARYING(36)``)
are equivalent; a different type with the same affinity (``TEXT`` for
``VARCHAR(36)``) stores the same values, so it is a warning; a different
affinity (``JSONB`` is NUMERIC) changes what is stored and is an error.
"""

from __future__ import annotations

from enum import Enum
from functools import cache

from sqlglot import exp
from sqlglot.errors import SqlglotError


class Match(Enum):
    SAME = "same"
    SAME_STORAGE = "same storage"
    DIFFERENT = "different"


def compare_types(expected: str, found: str, dialect: str) -> Match:
    """Say whether ``found`` is the contract's ``expected`` type on ``dialect``."""
    if canonical_type(expected) == canonical_type(found):
        return Match.SAME
    if dialect == "sqlite" and sqlite_affinity(expected) == sqlite_affinity(found):
        return Match.SAME_STORAGE
    return Match.DIFFERENT


@cache
def canonical_type(declared: str) -> str:
    """Spell a declared type one way: ``character varying(36)`` is ``VARCHAR(36)``.

    Both dialects are read with sqlglot's PostgreSQL grammar: its SQLite
    grammar maps types onto SQLite's storage classes (``TEXT[]`` becomes
    ``TEXT``), which would hide exactly the drift this module looks for.
    """
    try:
        data_type = exp.DataType.build(declared, dialect="postgres")
    except (SqlglotError, ValueError):
        # A name sqlglot does not know is compared as written, ignoring case
        # and spacing, which is all SQLite itself looks at.
        return " ".join(declared.upper().split())
    return data_type.sql(dialect="postgres").upper()


def sqlite_affinity(declared: str) -> str:
    """Return SQLite's type affinity for a declared type name.

    These are the rules of section 3.1 of SQLite's "Datatypes In SQLite",
    applied in their documented order.
    """
    name = declared.upper()
    if "INT" in name:
        return "INTEGER"
    if "CHAR" in name or "CLOB" in name or "TEXT" in name:
        return "TEXT"
    if "BLOB" in name or not name.strip():
        return "BLOB"
    if "REAL" in name or "FLOA" in name or "DOUB" in name:
        return "REAL"
    return "NUMERIC"
