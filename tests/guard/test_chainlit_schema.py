"""Chainlit's own documented schema is not Yonca's contract, and the check says how.

Chainlit documents a PostgreSQL schema for its SQLAlchemy data layer with UUID
ids, JSONB documents, TEXT[] tags, NOT NULL columns and cascading foreign
keys. A database created from it must be reported on every one of those
points, on both databases, while what it does equivalently (uniqueness of
``users.identifier`` by an inline UNIQUE, INT for INTEGER) stays quiet.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.guard.drift import keys, schema_findings_after
from yonca.guard.sql_changes import split_statements

SCHEMA = Path(__file__).with_name("chainlit_documented_schema.sql")


@pytest.fixture
def chainlit_findings(make_database: Callable, dialect: str) -> set:
    url = make_database(dialect, migrate=False)
    if dialect == "sqlite":
        Path(make_url(url).database or "").touch()
    statements = split_statements(SCHEMA.read_text(encoding="utf-8"))
    return keys(schema_findings_after(url, statements))


def test_uuid_ids_are_reported(chainlit_findings: set) -> None:
    # UUID has NUMERIC affinity in SQLite, so it is an error on both.
    for table in ("users", "threads", "steps", "elements", "feedbacks"):
        assert ("error", "column-type", f"{table}.id") in chainlit_findings


def test_jsonb_documents_are_reported(chainlit_findings: set) -> None:
    for column in ("users.metadata", "threads.metadata", "steps.generation"):
        assert ("error", "column-type", column) in chainlit_findings


def test_text_array_tags_are_reported(chainlit_findings: set, dialect: str) -> None:
    # TEXT[] keeps TEXT affinity in SQLite: stored alike there, hence a warning.
    severity = "error" if dialect == "postgresql" else "warning"
    assert (severity, "column-type", "threads.tags") in chainlit_findings
    assert (severity, "column-type", "steps.tags") in chainlit_findings


def test_not_null_columns_are_reported(chainlit_findings: set) -> None:
    for column in (
        "users.metadata",
        "steps.name",
        "steps.streaming",
        "feedbacks.value",
    ):
        assert ("error", "column-nullable", column) in chainlit_findings


def test_cascading_foreign_keys_are_reported(chainlit_findings: set) -> None:
    for key in (
        "threads(userId) -> users(id) ON DELETE CASCADE",
        "steps(threadId) -> threads(id) ON DELETE CASCADE",
        "elements(threadId) -> threads(id) ON DELETE CASCADE",
        "feedbacks(threadId) -> threads(id) ON DELETE CASCADE",
    ):
        assert ("error", "foreign-key-unexpected", key) in chainlit_findings


def test_columns_and_indexes_it_lacks_or_adds_are_reported(
    chainlit_findings: set,
) -> None:
    assert ("error", "column-missing", "elements.playerConfig") in chainlit_findings
    assert ("error", "column-default", "steps.defaultOpen") in chainlit_findings
    assert ("warning", "column-unexpected", "steps.command") in chainlit_findings
    assert ("warning", "column-unexpected", "steps.modes") in chainlit_findings
    assert ("error", "index-missing", "threads(userId)") in chainlit_findings
    assert ("error", "table-missing", "user_profiles") in chainlit_findings


def test_what_it_does_equivalently_stays_quiet(chainlit_findings: set) -> None:
    objects = {object for _severity, _code, object in chainlit_findings}

    # An inline UNIQUE makes identifier unique just as the contract's index.
    assert "users(identifier)" not in objects
    # INT is INTEGER by another name, on both databases.
    assert not {"feedbacks.value", "elements.page"} & {
        object for _s, code, object in chainlit_findings if code == "column-type"
    }
