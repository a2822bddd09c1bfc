"""``yonca db check --data``: broken references and JSON, both directions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Connection

from yonca.contract import elements, feedbacks, steps, threads, users
from yonca.guard.check import check_database
from yonca.guard.connect import run_on_database
from yonca.guard.ddl_guard import allow_contract_ddl

NOW = "2026-12-03T10:00:00.000000Z"


def write(database_url: str, *rows: tuple) -> None:
    def run(connection: Connection) -> None:
        for table, values in rows:
            connection.execute(insert(table).values(**values))

    run_on_database(database_url, run, write=True)


def sound_conversation() -> list[tuple]:
    """A user, a thread, a question and an answer, a file and a 👍."""
    return [
        (
            users,
            {
                "id": "u1",
                "identifier": "farmer@example.az",
                "createdAt": NOW,
                "metadata": '{"language": "az"}',
            },
        ),
        (
            threads,
            {
                "id": "t1",
                "userId": "u1",
                "createdAt": NOW,
                "name": "Cotton",
                "tags": '["profile:cotton"]',
                "metadata": "{}",
            },
        ),
        (
            steps,
            {
                "id": "s1",
                "threadId": "t1",
                "type": "user_message",
                "metadata": "{}",
                "tags": "[]",
                "generation": None,
            },
        ),
        (
            steps,
            {
                "id": "s2",
                "threadId": "t1",
                "parentId": "s1",
                "type": "assistant_message",
                "generation": '{"model": "qwen3"}',
            },
        ),
        (
            elements,
            {
                "id": "e1",
                "threadId": "t1",
                "forId": "s2",
                "props": "{}",
                "playerConfig": None,
            },
        ),
        (feedbacks, {"id": "f1", "threadId": "t1", "forId": "s2", "value": 1}),
    ]


@pytest.fixture
def fresh(make_database: Callable, dialect: str) -> str:
    return make_database(dialect)


def data_findings(database_url: str) -> set[tuple[str, str, str]]:
    findings = check_database(database_url, data=True)
    return {(f.severity.value, f.code, f.object) for f in findings}


def test_sound_data_stays_quiet(fresh: str) -> None:
    write(fresh, *sound_conversation())

    assert data_findings(fresh) == set()


def test_rows_whose_thread_step_or_user_is_gone_are_reported(fresh: str) -> None:
    write(
        fresh,
        *sound_conversation(),
        (threads, {"id": "t2", "userId": "gone-user", "createdAt": NOW}),
        (steps, {"id": "s3", "threadId": "gone-thread"}),
        (steps, {"id": "s4", "threadId": "t1", "parentId": "gone-step"}),
        (elements, {"id": "e2", "threadId": "gone-thread", "forId": "s1"}),
        (elements, {"id": "e3", "threadId": "t1", "forId": "gone-step"}),
        (feedbacks, {"id": "f2", "threadId": "gone-thread", "forId": "s1", "value": 1}),
        (feedbacks, {"id": "f3", "threadId": "t1", "forId": "gone-step", "value": -1}),
    )

    assert data_findings(fresh) == {
        ("error", "data-orphan", "threads.userId"),
        ("error", "data-orphan", "steps.threadId"),
        ("error", "data-orphan", "steps.parentId"),
        ("error", "data-orphan", "elements.threadId"),
        ("error", "data-orphan", "elements.forId"),
        ("error", "data-orphan", "feedbacks.threadId"),
        ("error", "data-orphan", "feedbacks.forId"),
    }


def test_json_that_does_not_parse_is_reported(fresh: str) -> None:
    write(
        fresh,
        *sound_conversation(),
        (threads, {"id": "t2", "userId": "u1", "tags": "profile:cotton"}),
        (steps, {"id": "s3", "threadId": "t1", "generation": "{'model': 'qwen3'}"}),
    )

    findings = check_database(fresh, data=True)

    assert {(f.code, f.object) for f in findings} == {
        ("data-json", "threads.tags"),
        ("data-json", "steps.generation"),
    }
    assert "t2" in next(f.found for f in findings if f.object == "threads.tags")


def test_an_orphan_finding_names_rows_and_the_repair(fresh: str) -> None:
    write(fresh, (steps, {"id": "lonely", "threadId": "gone-thread"}))

    (finding,) = check_database(fresh, data=True)

    assert finding.found == "1 row of steps whose thread is gone (e.g. lonely)"
    assert 'DELETE FROM "steps"' in finding.fix


def test_without_data_the_rows_are_not_read(fresh: str) -> None:
    write(fresh, (steps, {"id": "lonely", "threadId": "gone-thread"}))

    assert check_database(fresh) == []


def test_data_is_not_read_on_a_broken_schema(fresh: str) -> None:
    def drop_feedbacks(connection: Connection) -> None:
        allow_contract_ddl(connection)
        connection.exec_driver_sql("DROP TABLE feedbacks")

    run_on_database(fresh, drop_feedbacks, write=True)

    codes = {f.code for f in check_database(fresh, data=True)}

    assert codes == {"table-missing", "data-not-checked"}
