"""Read an Alembic migration file without running it: what it does to tables.

The reader walks the module with Python's ``ast``. It finds Alembic
operations (``op.drop_column("steps", ...)``, ``op.batch_alter_table``...) and
SQL given to ``op.execute`` or a connection, which ``sql_changes`` reads with
sqlglot. Table names written as literals, module constants or loops over
literal tuples are understood; anything else is recorded as unreadable,
because a linter that guesses is no guard. A function that calls
``allow_contract_ddl`` marks its changes as sanctioned.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from yonca.guard.sql_changes import contract_index_tables, read_sql

# For each Alembic operation that changes a table: where its table names are,
# as (position, keyword) of the call's arguments.
TABLE_ARGUMENTS: dict[str, tuple[tuple[int, str], ...]] = {
    "create_table": ((0, "table_name"),),
    "drop_table": ((0, "table_name"),),
    "rename_table": ((0, "old_table_name"), (1, "new_table_name")),
    "add_column": ((0, "table_name"),),
    "drop_column": ((0, "table_name"),),
    "alter_column": ((0, "table_name"),),
    "create_index": ((1, "table_name"),),
    "drop_index": ((1, "table_name"),),
    "create_unique_constraint": ((1, "table_name"),),
    "create_primary_key": ((1, "table_name"),),
    "create_check_constraint": ((1, "table_name"),),
    "create_exclude_constraint": ((1, "table_name"),),
    "create_foreign_key": ((1, "source_table"),),
    "drop_constraint": ((1, "table_name"),),
    "create_table_comment": ((0, "table_name"),),
    "drop_table_comment": ((0, "table_name"),),
    "batch_alter_table": ((0, "table_name"),),
}
SQL_METHODS = frozenset({"execute", "exec_driver_sql"})
SANCTION = "allow_contract_ddl"


@dataclass(frozen=True)
class TableChange:
    """One thing a migration does to a table."""

    table: str
    action: str
    line: int
    phase: str
    sanctioned: bool
    creates: bool = False


@dataclass
class Migration:
    path: Path
    revision: str | None = None
    down_revision: object = None
    changes: list[TableChange] = field(default_factory=list)
    # Problems met while reading: (line, what could not be read).
    unreadable: list[tuple[int, str]] = field(default_factory=list)

    @property
    def is_root(self) -> bool:
        return self.revision is not None and self.down_revision is None

    @property
    def parents(self) -> tuple[object, ...]:
        """The revisions this one follows (several for a merge)."""
        if self.down_revision is None:
            return ()
        if isinstance(self.down_revision, list | tuple):
            return tuple(self.down_revision)
        return (self.down_revision,)


def read_migration(path: Path) -> Migration:
    migration = Migration(path=path)
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError) as exc:
        migration.revision = path.stem
        migration.down_revision = "?"
        migration.unreadable.append((getattr(exc, "lineno", 0) or 0, f"Python: {exc}"))
        return migration

    constants = _constants(tree)
    revision = _module_value(tree, "revision")
    migration.revision = revision if isinstance(revision, str) else None
    migration.down_revision = _module_value(tree, "down_revision")
    for phase, body, sanctioned in _functions(tree):
        reader = _OperationReader(constants, phase, sanctioned, _op_names(tree))
        for node in body:
            reader.visit(node)
        migration.changes.extend(reader.changes)
        migration.unreadable.extend(reader.unreadable)
    return migration


class _OperationReader(ast.NodeVisitor):
    """Collect the table changes of one function of a migration."""

    def __init__(
        self,
        constants: dict[str, set[str]],
        phase: str,
        sanctioned: bool,
        op_names: set[str],
    ) -> None:
        self.values = dict(constants)
        self.phase = phase
        self.sanctioned = sanctioned
        self.op_names = op_names
        self.changes: list[TableChange] = []
        self.unreadable: list[tuple[int, str]] = []

    def visit_For(self, node: ast.For) -> None:
        # 'for table in ("a", "b"): op.drop_table(table)' names both tables.
        values = self._resolve(node.iter)
        if isinstance(node.target, ast.Name) and values is not None:
            self.values[node.target.id] = values
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        if isinstance(function, ast.Attribute):
            receiver = function.value
            if (
                isinstance(receiver, ast.Name)
                and receiver.id in self.op_names
                and function.attr in TABLE_ARGUMENTS
            ):
                self._operation(node, function.attr)
            elif function.attr in SQL_METHODS and node.args:
                is_op = isinstance(receiver, ast.Name) and receiver.id in self.op_names
                self._sql(node, is_op=is_op)
        self.generic_visit(node)

    def _operation(self, node: ast.Call, name: str) -> None:
        action = f"op.{name}"
        found_any = False
        for position, keyword in TABLE_ARGUMENTS[name]:
            argument = _argument(node, position, keyword)
            if argument is None:
                continue
            found_any = True
            tables = self._resolve(argument)
            if tables is None:
                self.unreadable.append((node.lineno, f"the table of {action}"))
                continue
            for table in sorted(tables):
                self._record(table, action, node.lineno, creates=name == "create_table")
        if name == "drop_index" and not found_any:
            self._drop_index_by_name(node)

    def _drop_index_by_name(self, node: ast.Call) -> None:
        argument = _argument(node, 0, "index_name")
        names = self._resolve(argument) if argument is not None else None
        index_tables = contract_index_tables()
        for name in sorted(names or ()):
            if name.lower() in index_tables:
                self._record(index_tables[name.lower()], "op.drop_index", node.lineno)

    def _sql(self, node: ast.Call, *, is_op: bool) -> None:
        argument = node.args[0]
        if isinstance(argument, ast.Call) and not _is_wrapper(argument.func):
            # A SQLAlchemy construct (users.update()...), not SQL text.
            return
        statements = self._resolve(argument)
        if statements is None:
            if is_op:
                self.unreadable.append((node.lineno, "SQL built at run time"))
            return
        for sql in sorted(statements):
            reading = read_sql(sql)
            for change in reading.changes:
                self._record(
                    change.table,
                    f"SQL {change.statement}",
                    node.lineno,
                    creates=change.creates,
                )
            for text in reading.unreadable:
                self.unreadable.append(
                    (node.lineno, f"SQL naming a contract table: {text}")
                )

    def _record(
        self, table: str, action: str, line: int, *, creates: bool = False
    ) -> None:
        self.changes.append(
            TableChange(table, action, line, self.phase, self.sanctioned, creates)
        )

    def _resolve(self, node: ast.AST) -> set[str] | None:
        """Return every string ``node`` can stand for, or None if unknown."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.Name):
            return self.values.get(node.id)
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            parts = [self._resolve(element) for element in node.elts]
            if any(part is None for part in parts):
                return None
            return set().union(*(part for part in parts if part is not None))
        if isinstance(node, ast.Call) and node.args and _is_wrapper(node.func):
            # op.f("name"), sa.text("SQL") and text("SQL") wrap a string.
            return self._resolve(node.args[0])
        return None


def _functions(tree: ast.Module) -> Iterator[tuple[str, list[ast.stmt], bool]]:
    """Yield (phase, body, sanctioned) for each top-level function and the module."""
    module_body = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            phase = "downgrade" if node.name == "downgrade" else node.name
            yield phase, node.body, _calls_sanction(node)
        else:
            module_body.append(node)
    yield "module", module_body, False


def _calls_sanction(function: ast.AST) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            callee = node.func
            name = (
                callee.attr
                if isinstance(callee, ast.Attribute)
                else getattr(callee, "id", "")
            )
            if name == SANCTION:
                return True
    return False


def _constants(tree: ast.Module) -> dict[str, set[str]]:
    """Strings (and tuples of strings) assigned to plain names anywhere."""
    constants: dict[str, set[str]] = defaultdict(set)
    for node in ast.walk(tree):
        target, value = _assignment(node)
        if target is None or value is None:
            continue
        strings = _literal_strings(value)
        if strings is not None:
            constants[target].update(strings)
    return dict(constants)


def _assignment(node: ast.AST) -> tuple[str | None, ast.AST | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return (target.id if isinstance(target, ast.Name) else None), node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    return None, None


def _literal_strings(node: ast.AST) -> set[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        values = [_literal_strings(element) for element in node.elts]
        if values and all(value is not None for value in values):
            return set().union(*(value for value in values if value is not None))
    return None


def _module_value(tree: ast.Module, name: str) -> object:
    """The literal value assigned to ``name`` at module level, or "?" if none."""
    for node in tree.body:
        target, value = _assignment(node)
        if target == name and value is not None:
            try:
                return ast.literal_eval(value)
            except ValueError:
                return "?"
    return "?"


def _op_names(tree: ast.Module) -> set[str]:
    """Names bound to Alembic's ``op`` (``from alembic import op as ops``)."""
    names = {"op"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "alembic":
            names.update(
                alias.asname or alias.name for alias in node.names if alias.name == "op"
            )
    return names


def _argument(call: ast.Call, position: int, keyword: str) -> ast.AST | None:
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    return call.args[position] if len(call.args) > position else None


def _is_wrapper(function: ast.AST) -> bool:
    name = (
        function.attr
        if isinstance(function, ast.Attribute)
        else getattr(function, "id", "")
    )
    return name in {"f", "text"}
