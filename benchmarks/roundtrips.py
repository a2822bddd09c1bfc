"""Counting the round trips a data layer makes to its database.

A round trip is one request the client waits on: a statement, a ``BEGIN``,
a ``COMMIT``, a connection ping. They are counted where each driver can
see them exactly:

* SQLite: ``sqlite3``'s trace callback reports every statement the library
  runs, including the implicit ``BEGIN``/``COMMIT`` the ``sqlite3`` module
  adds itself. For SQLAlchemy layers it is installed on each new connection
  through aiosqlite; the raw implementation installs it on its own.
* PostgreSQL through SQLAlchemy: each executed statement
  (``before_cursor_execute``), each transaction begun (asyncpg sends
  ``BEGIN`` before the first statement) and each commit or rollback, plus
  one ping per pool checkout when the engine pre-pings.
* PostgreSQL through raw asyncpg: the implementation counts its own calls.

Counting happens only inside ``RoundTripCounter.measuring()``, so that the
ordinary timed runs pay nothing for it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

TRANSACTION_CONTROL = re.compile(
    r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|END)\b", re.IGNORECASE
)
LABEL_WIDTH = 64
# SQLite's trace callback hands over statements with their values filled in;
# labels keep the statement's shape and never a value somebody wrote.
QUOTED_LITERAL = re.compile(r"'(?:[^']|'')*'")
NUMBER_LITERAL = re.compile(r"(?<![\w$?])-?\d+(?:\.\d+)?\b")


@dataclass
class RoundTripLog:
    """The round trips of one measured piece of work, in order."""

    labels: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.labels)

    @property
    def transaction_control(self) -> int:
        return sum(1 for label in self.labels if TRANSACTION_CONTROL.match(label))

    @property
    def statements(self) -> int:
        return self.total - self.transaction_control - self.labels.count("(ping)")

    def summary(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "statements": self.statements,
            "transaction_control": self.transaction_control,
            "pings": self.labels.count("(ping)"),
            "by_statement": dict(Counter(self.labels)),
        }


def statement_label(statement: str) -> str:
    """Shorten a statement to its first words, parameters never included."""
    text = " ".join(statement.split())
    text = NUMBER_LITERAL.sub("?", QUOTED_LITERAL.sub("?", text))
    return text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 1] + "…"


class RoundTripCounter:
    """Collects round trips while ``measuring()`` is active."""

    def __init__(self) -> None:
        self._log: RoundTripLog | None = None

    @contextmanager
    def measuring(self) -> Iterator[RoundTripLog]:
        log = RoundTripLog()
        self._log = log
        try:
            yield log
        finally:
            self._log = None

    def record(self, statement: str) -> None:
        if self._log is not None:
            self._log.labels.append(statement_label(statement))

    def record_ping(self) -> None:
        if self._log is not None:
            self._log.labels.append("(ping)")

    def sqlite_trace(self, statement: str) -> None:
        """A ``sqlite3`` trace callback: one call per statement SQLite runs."""
        self.record(statement)

    def attach(self, engine: AsyncEngine) -> None:
        """Count the round trips of every connection ``engine`` opens from now on."""
        sync_engine = engine.sync_engine
        if sync_engine.dialect.name == "sqlite":
            self._attach_sqlite(sync_engine)
        else:
            self._attach_postgres(sync_engine)

    def _attach_sqlite(self, sync_engine: Any) -> None:
        @event.listens_for(sync_engine, "connect")
        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            # aiosqlite owns the sqlite3 connection in its worker thread and
            # installs the callback there.
            await_(
                dbapi_connection.driver_connection.set_trace_callback(self.sqlite_trace)
            )

    def _attach_postgres(self, sync_engine: Any) -> None:
        @event.listens_for(sync_engine, "before_cursor_execute")
        def on_execute(*arguments: Any) -> None:
            self.record(arguments[2])

        @event.listens_for(sync_engine, "begin")
        def on_begin(_connection: Any) -> None:
            self.record("BEGIN")

        @event.listens_for(sync_engine, "commit")
        def on_commit(_connection: Any) -> None:
            self.record("COMMIT")

        @event.listens_for(sync_engine, "rollback")
        def on_rollback(_connection: Any) -> None:
            self.record("ROLLBACK")

        if getattr(sync_engine.pool, "_pre_ping", False):
            # The pool pings a connection on every checkout before handing
            # it out; SQLAlchemy exposes no event for the ping itself.
            @event.listens_for(sync_engine, "checkout")
            def on_checkout(*_arguments: Any) -> None:
                self.record_ping()
