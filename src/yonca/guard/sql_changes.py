"""Which tables a piece of SQL changes the schema of, read with sqlglot.

Migrations pass SQL to ``op.execute``; the linter needs to know whether it
alters, drops, renames or indexes a contract table. Reading a table (as in an
``INSERT ... SELECT`` backfill) or writing rows is not a schema change.
Statements sqlglot cannot read fully are kept as text; if such a statement is
DDL and names a contract table, it is reported as unreadable rather than
silently let through.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from yonca.contract import CONTRACT_TABLE_NAMES, metadata

DDL_KEYWORDS = frozenset({"ALTER", "CREATE", "DROP", "COMMENT", "REINDEX", "CLUSTER"})


@dataclass(frozen=True)
class SqlChange:
    table: str
    statement: str
    creates: bool = False


@dataclass
class SqlReading:
    changes: list[SqlChange] = field(default_factory=list)
    # DDL statements sqlglot could not read that name a contract table.
    unreadable: list[str] = field(default_factory=list)


def contract_index_tables() -> dict[str, str]:
    """Map the name of each index on a contract table to its table."""
    names = {f"{table}_pkey": table for table in CONTRACT_TABLE_NAMES}
    for table in metadata.tables.values():
        if table.name in CONTRACT_TABLE_NAMES:
            names.update(
                {str(index.name).lower(): table.name for index in table.indexes}
            )
    return names


def read_sql(sql: str) -> SqlReading:
    """Find the tables whose schema ``sql`` changes."""
    reading = SqlReading()
    try:
        statements = _parse(sql)
    except SqlglotError:
        if _names_contract_object(sql):
            reading.unreadable.append(" ".join(sql.split())[:120])
        return reading

    for statement in statements:
        if isinstance(statement, exp.Command):
            text = f"{statement.this}{statement.args.get('expression') or ''}"
            if _names_contract_object(text):
                reading.unreadable.append(" ".join(text.split())[:120])
        elif statement is not None:
            reading.changes.extend(_changes(statement))
    return reading


def split_statements(sql: str) -> tuple[str, ...]:
    """Split a SQL script into statements, respecting quoted text.

    sqlglot's PostgreSQL tokenizer knows where strings and dollar-quoted
    function bodies begin and end, so a ';' inside one does not end a
    statement. Comments between statements are dropped.
    """
    statements = []
    start: int | None = None
    for token in Postgres().tokenize(sql):
        if token.token_type == TokenType.SEMICOLON:
            if start is not None:
                statements.append(sql[start : token.start].strip())
            start = None
        elif start is None:
            start = token.start
    if start is not None:
        statements.append(sql[start:].strip())
    return tuple(statements)


def _parse(sql: str) -> list[exp.Expr | None]:
    with _quiet_sqlglot():
        try:
            return sqlglot.parse(sql, read="postgres")
        except SqlglotError:
            return sqlglot.parse(sql, read="sqlite")


@contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    # sqlglot logs a warning for each statement it falls back to reading as
    # plain text; the linter reports those itself when they matter.
    sqlglot_logger = logging.getLogger("sqlglot")
    level = sqlglot_logger.level
    sqlglot_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        sqlglot_logger.setLevel(level)


def _changes(statement: exp.Expr) -> list[SqlChange]:
    kind = str(statement.args.get("kind") or "").upper()
    if isinstance(statement, exp.Create):
        return _created(statement, kind)
    if isinstance(statement, exp.Drop):
        return _dropped(statement, kind)
    if isinstance(statement, exp.Alter):
        return _altered(statement, kind)
    if isinstance(statement, exp.Comment):
        target = statement.this
        table = target.table if isinstance(target, exp.Column) else target.name
        return [SqlChange(table, f"COMMENT ON {kind}")]
    return []


def _created(statement: exp.Create, kind: str) -> list[SqlChange]:
    target = statement.this
    if kind == "INDEX":
        table = target.args.get("table")
        return [SqlChange(table.name, "CREATE INDEX")] if table is not None else []
    if kind == "TRIGGER":
        trigger = statement.find(exp.TriggerProperties)
        table = trigger.args.get("table") if trigger else None
        return [SqlChange(table.name, "CREATE TRIGGER")] if table is not None else []
    if kind in {"TABLE", "VIEW", "MATERIALIZED VIEW"}:
        if isinstance(target, exp.Schema):
            target = target.this
        return [SqlChange(target.name, f"CREATE {kind}", creates=kind == "TABLE")]
    return []


def _dropped(statement: exp.Drop, kind: str) -> list[SqlChange]:
    targets = statement.args.get("tables") or [statement.this]
    names = [target.name for target in targets if target is not None]
    if kind == "INDEX":
        index_tables = contract_index_tables()
        names = [
            index_tables[name.lower()] for name in names if name.lower() in index_tables
        ]
    elif kind == "TRIGGER":
        on = statement.args.get("cluster")
        names = [on.this.name] if isinstance(on, exp.OnProperty) else []
    return [SqlChange(name, f"DROP {kind}") for name in names]


def _altered(statement: exp.Alter, kind: str) -> list[SqlChange]:
    name = statement.this.name
    if kind == "INDEX":
        table = contract_index_tables().get(name.lower())
        return [SqlChange(table, "ALTER INDEX")] if table else []
    changes = [SqlChange(name, f"ALTER {kind}")]
    for action in statement.args.get("actions") or []:
        if isinstance(action, exp.AlterRename):
            # Renaming another table *to* a contract name replaces the table.
            changes.append(SqlChange(action.this.name, "ALTER TABLE ... RENAME TO"))
    return changes


def _names_contract_object(sql: str) -> bool:
    """Say whether text that sqlglot could not read is DDL naming a contract table."""
    try:
        tokens = Postgres().tokenize(sql)
    except SqlglotError:
        words = sql.replace('"', " ").replace("(", " ").split()
    else:
        words = [
            token.text
            for token in tokens
            if token.token_type not in {TokenType.STRING, TokenType.HEREDOC_STRING}
        ]
    upper = {word.upper() for word in words}
    lower = {word.lower() for word in words}
    contract = set(CONTRACT_TABLE_NAMES) | set(contract_index_tables())
    return bool(upper & DDL_KEYWORDS) and bool(lower & contract)
