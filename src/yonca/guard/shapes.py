"""The shape of a schema, as plain data, and the shape the contract expects.

The live database (``snapshot.read_schema``) and the contract
(``expected_schema``) are both described with these types, so that comparing
them is a matter of comparing values. The expected side is derived from
``yonca.contract`` each time; there is no second copy of the schema here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Column, ForeignKeyConstraint, Table, TextClause
from sqlalchemy.engine import Dialect

from yonca.contract import metadata


@dataclass(frozen=True)
class ColumnShape:
    name: str
    # The type as the database declares it: verbatim from SQLite, rendered by
    # PostgreSQL's format_type, or compiled from the contract.
    declared_type: str
    nullable: bool
    default: str | None = None


@dataclass(frozen=True)
class IndexShape:
    """An index, or a unique constraint (which is an index by another name)."""

    name: str | None
    columns: tuple[str, ...]
    unique: bool


@dataclass(frozen=True)
class ForeignKeyShape:
    name: str | None
    columns: tuple[str, ...]
    referred_table: str
    referred_columns: tuple[str, ...]
    on_delete: str | None

    def describe(self, table: str) -> str:
        return (
            f"{table}({', '.join(self.columns)}) -> "
            f"{self.referred_table}({', '.join(self.referred_columns)})"
            f"{_on_delete_clause(self.on_delete)}"
        )


@dataclass(frozen=True)
class TableShape:
    name: str
    columns: tuple[ColumnShape, ...]
    primary_key: tuple[str, ...]
    indexes: tuple[IndexShape, ...] = ()
    foreign_keys: tuple[ForeignKeyShape, ...] = ()
    comment: str | None = None

    def column(self, name: str) -> ColumnShape:
        return next(column for column in self.columns if column.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


@dataclass(frozen=True)
class SchemaShape:
    dialect: str
    tables: dict[str, TableShape] = field(default_factory=dict)


def expected_schema(dialect: Dialect) -> SchemaShape:
    """Describe every table of ``yonca.contract`` as ``dialect`` would create it."""
    # In definition order: the contract tables first, then the domain's.
    tables = {
        table.name: _expected_table(table, dialect)
        for table in metadata.tables.values()
    }
    return SchemaShape(dialect=dialect.name, tables=tables)


def _expected_table(table: Table, dialect: Dialect) -> TableShape:
    return TableShape(
        name=table.name,
        columns=tuple(_expected_column(column, dialect) for column in table.columns),
        primary_key=tuple(column.name for column in table.primary_key.columns),
        indexes=tuple(
            IndexShape(
                name=str(index.name),
                columns=tuple(column.name for column in index.columns),
                unique=bool(index.unique),
            )
            for index in sorted(table.indexes, key=lambda index: str(index.name))
        ),
        foreign_keys=tuple(
            _expected_foreign_key(constraint)
            for constraint in table.constraints
            if isinstance(constraint, ForeignKeyConstraint)
        ),
        comment=table.comment,
    )


def _expected_column(column: Column, dialect: Dialect) -> ColumnShape:
    return ColumnShape(
        name=column.name,
        declared_type=column.type.compile(dialect=dialect),
        nullable=bool(column.nullable),
        default=_expected_default(column),
    )


def _expected_default(column: Column) -> str | None:
    default = column.server_default
    if default is None:
        return None
    argument = getattr(default, "arg", None)
    if isinstance(argument, TextClause):
        return argument.text
    if isinstance(argument, str):
        # SQLAlchemy renders a plain string default as a quoted literal.
        return "'" + argument.replace("'", "''") + "'"
    return str(argument)


def _expected_foreign_key(constraint: ForeignKeyConstraint) -> ForeignKeyShape:
    elements = constraint.elements
    return ForeignKeyShape(
        name=str(constraint.name) if constraint.name else None,
        columns=tuple(element.parent.name for element in elements),
        referred_table=elements[0].column.table.name,
        referred_columns=tuple(element.column.name for element in elements),
        on_delete=constraint.ondelete,
    )


def _on_delete_clause(on_delete: str | None) -> str:
    return f" ON DELETE {on_delete.upper()}" if on_delete else ""
