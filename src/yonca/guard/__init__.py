"""The schema guard: keep the Chainlit contract tables as the contract fixes them.

Five tools, one per way the original deployment drifted, all returning lists
of ``Finding``:

- ``check_database`` compares a live database with ``yonca.contract`` (tables,
  columns, types, nullability, defaults, keys, indexes, comments), the
  migration history and lock, the DDL guard and, on request, the data;
- ``startup.verify_database`` runs that check when the app starts and refuses
  a database with errors;
- ``lock`` records a checksum of each applied migration and notices edits;
- ``lint_paths`` reads migration files and refuses changes to contract tables;
- ``ddl_guard`` installs PostgreSQL event triggers that refuse such DDL unless
  a sanctioned migration called ``allow_contract_ddl(op)``.
"""

from yonca.guard.check import CheckNotRunError, check_connection, check_database
from yonca.guard.ddl_guard import allow_contract_ddl
from yonca.guard.findings import Finding, Severity
from yonca.guard.lint import lint_paths

__all__ = [
    "CheckNotRunError",
    "Finding",
    "Severity",
    "allow_contract_ddl",
    "check_connection",
    "check_database",
    "lint_paths",
]
