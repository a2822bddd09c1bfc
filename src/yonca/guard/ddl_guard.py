"""The DDL guard inside PostgreSQL, and the sanction that lets a migration past it.

``ddl_guard.sql`` installs two event triggers (``ddl_command_end`` and
``sql_drop``) that refuse any DDL touching a contract table: ALTER, DROP and
RENAME of the table or its columns, and creating, changing or dropping its
indexes, triggers, constraints, rules, policies and comments. A transaction
that ran ``SET LOCAL yonca.allow_contract_ddl = 'on'`` is let through; only a
sanctioned migration does that, by calling ``allow_contract_ddl(op)``.

What it cannot cover: a superuser can disable or drop event triggers, and
``TRUNCATE`` (like every row change) is not DDL, so it never reaches them.
SQLite has no event triggers; there the migration linter and the check are
the guard.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from yonca.contract import CONTRACT_TABLE_NAMES
from yonca.errors import YoncaError
from yonca.guard.findings import Finding, warning
from yonca.guard.sql_changes import split_statements

logger = logging.getLogger(__name__)

GUARD_SQL = Path(__file__).with_name("ddl_guard.sql")
EVENT_TRIGGERS = ("yonca_guard_ddl_command_end", "yonca_guard_sql_drop")
SANCTION = "yonca.allow_contract_ddl"

UNINSTALL = (
    *(f"DROP EVENT TRIGGER IF EXISTS {name}" for name in EVENT_TRIGGERS),
    "DROP SCHEMA IF EXISTS yonca_guard CASCADE",
)


class GuardInstallError(YoncaError):
    """The DDL guard cannot be installed or removed on this database."""


@dataclass(frozen=True)
class GuardStatus:
    installed: bool
    enabled: bool
    can_install: bool
    protected_tables: tuple[str, ...] = ()
    unprotected_tables: tuple[str, ...] = ()


def allow_contract_ddl(target: Any) -> None:
    """Let the current transaction change contract tables past the DDL guard.

    ``target`` is Alembic's ``op`` (or an ``Operations``) or a SQLAlchemy
    ``Connection``. The flag is ``SET LOCAL``: it ends with the transaction
    (SQLAlchemy begins one on first use), and each migration runs in its own,
    so it never outlives the migration that set it. On a connection in
    AUTOCOMMIT mode it would end at once, and the guard would still refuse.
    On SQLite this does nothing, but the call still marks the migration as
    sanctioned for the linter.
    """
    connection = target.get_bind() if hasattr(target, "get_bind") else target
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text(f"SET LOCAL {SANCTION} = 'on'"))
    logger.info("contract DDL allowed for this transaction")


def install(connection: Connection) -> None:
    """Install (or reinstall) the guard in the connection's database."""
    _require_postgresql(connection)
    if not _is_superuser(connection):
        raise GuardInstallError(
            "installing the DDL guard needs a superuser (PostgreSQL lets only "
            "superusers create event triggers); ask one to run "
            "'yonca db guard install --database-url URL'"
        )
    if _is_template_database(connection):
        raise GuardInstallError(
            "this is a template database: event triggers here would be copied into "
            "every database created from it; install the guard in Yonca's database"
        )

    for statement in (*UNINSTALL, *script_statements()):
        connection.exec_driver_sql(statement)
    connection.execute(
        text(
            "INSERT INTO yonca_guard.contract_tables (schema_name, table_name) "
            "VALUES (current_schema(), :name)"
        ),
        [{"name": name} for name in sorted(CONTRACT_TABLE_NAMES)],
    )
    connection.execute(text("SELECT yonca_guard.refresh()"))
    logger.info(
        "installed the DDL guard on %s", ", ".join(sorted(CONTRACT_TABLE_NAMES))
    )


def install_if_permitted(connection: Connection) -> bool:
    """Install the guard when the role may; otherwise say why and go on.

    The migration that installs the guard uses this, so that a deployment
    without superuser rights still migrates; 'yonca db check' then reports
    the missing guard as a warning.
    """
    if not _is_superuser(connection):
        logger.warning(
            "the DDL guard was not installed: the role is not a superuser; "
            "ask one to run 'yonca db guard install'"
        )
        return False
    install(connection)
    return True


def uninstall(connection: Connection) -> None:
    _require_postgresql(connection)
    for statement in UNINSTALL:
        connection.exec_driver_sql(statement)
    logger.info("removed the DDL guard")


def read_status(connection: Connection) -> GuardStatus:
    _require_postgresql(connection)
    can_install = _is_superuser(connection)
    triggers: dict[str, str] = dict(
        connection.execute(
            text(
                "SELECT evtname, evtenabled::text FROM pg_event_trigger "
                "WHERE evtname IN :names"
            ).bindparams(bindparam("names", EVENT_TRIGGERS, expanding=True))
        ).all()
    )
    if len(triggers) < len(EVENT_TRIGGERS) or not _has_guard_schema(connection):
        return GuardStatus(installed=False, enabled=False, can_install=can_install)

    protected = connection.execute(
        text(
            "SELECT DISTINCT table_name FROM yonca_guard.protected_objects "
            "WHERE classid = 'pg_class'::regclass AND objid = table_oid ORDER BY 1"
        )
    ).scalars()
    unprotected = connection.execute(
        text("SELECT * FROM yonca_guard.unprotected_tables() ORDER BY 1")
    ).scalars()
    return GuardStatus(
        installed=True,
        # 'D' is disabled; 'O', 'R' and 'A' fire in ordinary sessions or more.
        enabled=all(state != "D" for state in triggers.values()),
        can_install=can_install,
        protected_tables=tuple(protected),
        unprotected_tables=tuple(unprotected),
    )


def check_guard(connection: Connection) -> list[Finding]:
    """Report a missing, disabled or stale guard (PostgreSQL only)."""
    if connection.dialect.name != "postgresql":
        return []
    status = read_status(connection)
    install_command = (
        "run 'yonca db guard install'"
        if status.can_install
        else "ask a superuser to run 'yonca db guard install' (event triggers need "
        "superuser rights, which this role does not have)"
    )
    if not status.installed:
        return [
            warning(
                "ddl-guard-missing",
                "DDL guard",
                expected="event triggers refusing DDL on the contract tables",
                found="not installed",
                fix=install_command,
            )
        ]
    findings = []
    if not status.enabled:
        findings.append(
            warning(
                "ddl-guard-disabled",
                "DDL guard",
                expected="both event triggers enabled",
                found="disabled (ALTER EVENT TRIGGER ... DISABLE)",
                fix=install_command,
            )
        )
    if status.unprotected_tables:
        findings.append(
            warning(
                "ddl-guard-stale",
                "DDL guard",
                expected="every contract table protected by its oid",
                found="not covered: " + ", ".join(status.unprotected_tables),
                fix=install_command + " (needed after restoring a dump)",
            )
        )
    return findings


@cache
def script_statements() -> tuple[str, ...]:
    # asyncpg runs one statement per call.
    return split_statements(GUARD_SQL.read_text(encoding="utf-8"))


def _require_postgresql(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        raise GuardInstallError(
            f"the DDL guard needs PostgreSQL event triggers, which "
            f"{connection.dialect.name} does not have; on SQLite, "
            "'yonca migrations lint' and 'yonca db check' are the guard"
        )


def _is_superuser(connection: Connection) -> bool:
    return bool(
        connection.execute(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        ).scalar()
    )


def _is_template_database(connection: Connection) -> bool:
    return bool(
        connection.execute(
            text(
                "SELECT datistemplate FROM pg_database "
                "WHERE datname = current_database()"
            )
        ).scalar()
    )


def _has_guard_schema(connection: Connection) -> bool:
    return (
        connection.execute(
            text("SELECT to_regclass('yonca_guard.protected_objects')")
        ).scalar()
        is not None
    )
