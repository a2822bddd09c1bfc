"""Read the shape of a live database into ``shapes`` values.

SQLAlchemy's inspector reads names, nullability, defaults, keys, indexes and
comments on both databases. Column types are read from the catalogs instead:
the inspector turns them into SQLAlchemy types, which loses what SQLite was
told (it keeps declared type names verbatim, ``JSONB`` included) and warns on
PostgreSQL types it does not know.
"""

from __future__ import annotations

import logging
import warnings
from collections import defaultdict
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Inspector
from sqlalchemy.exc import SAWarning

from yonca.guard.shapes import (
    ColumnShape,
    ForeignKeyShape,
    IndexShape,
    SchemaShape,
    TableShape,
)

logger = logging.getLogger(__name__)

POSTGRESQL_DECLARED_TYPES = text(
    """
    SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = current_schema()::regnamespace
      AND c.relkind IN ('r', 'p')
      AND a.attnum > 0
      AND NOT a.attisdropped
    """
)

# SQLAlchemy finds SQLite's UNIQUE constraints by parsing the CREATE TABLE
# text and misses an inline "identifier VARCHAR(255) UNIQUE"; SQLite's own
# index list knows every index a UNIQUE constraint made (origin 'u').
SQLITE_UNIQUE_CONSTRAINTS = text(
    """
    SELECT m.name, il.name, ii.name
    FROM sqlite_master AS m
    JOIN pragma_index_list(m.name) AS il
    JOIN pragma_index_info(il.name) AS ii
    WHERE m.type = 'table' AND il.origin = 'u'
    ORDER BY m.name, il.name, ii.seqno
    """
)

SQLITE_DECLARED_TYPES = text(
    """
    SELECT m.name, p.name, p.type
    FROM sqlite_master AS m
    JOIN pragma_table_xinfo(m.name) AS p
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite~_%' ESCAPE '~'
      AND p.hidden != 1
    """
)


def read_schema(connection: Connection) -> SchemaShape:
    """Describe every table of the connection's default schema."""
    inspector = inspect(connection)
    declared = _declared_types(connection)
    with warnings.catch_warnings():
        # Types are read from the catalogs above; the inspector's opinion of
        # a type it does not know is not needed.
        warnings.filterwarnings("ignore", "Did not recognize type", SAWarning)
        reflected = _reflect(inspector)
    reflected["unique"] = (
        _sqlite_unique_constraints(connection)
        if connection.dialect.name == "sqlite"
        else _by_table(inspector.get_multi_unique_constraints())
    )

    tables = {
        name: _table_shape(name, reflected, declared.get(name, {}))
        for name in reflected["columns"]
    }
    logger.debug("read %d tables from the database", len(tables))
    return SchemaShape(dialect=connection.dialect.name, tables=tables)


def _declared_types(connection: Connection) -> dict[str, dict[str, str]]:
    query = (
        POSTGRESQL_DECLARED_TYPES
        if connection.dialect.name == "postgresql"
        else SQLITE_DECLARED_TYPES
    )
    types: dict[str, dict[str, str]] = defaultdict(dict)
    for table, column, declared in connection.execute(query):
        types[table][column] = declared or ""
    return types


def _sqlite_unique_constraints(connection: Connection) -> dict[str, Any]:
    columns: dict[tuple[str, str], list[str]] = defaultdict(list)
    for table, index, column in connection.execute(SQLITE_UNIQUE_CONSTRAINTS):
        columns[(table, index)].append(column)
    constraints: dict[str, Any] = defaultdict(list)
    for (table, _index), names in columns.items():
        # The index is SQLite's own (sqlite_autoindex_...); the constraint has
        # no name worth showing.
        constraints[table].append({"name": None, "column_names": names})
    return constraints


def _reflect(inspector: Inspector) -> dict[str, dict[str, Any]]:
    # The multi-table calls read each kind of object for every table in one
    # query on PostgreSQL, which keeps the start-up check fast.
    return {
        "columns": _by_table(inspector.get_multi_columns()),
        "primary_key": _by_table(inspector.get_multi_pk_constraint()),
        "indexes": _by_table(inspector.get_multi_indexes()),
        "foreign_keys": _by_table(inspector.get_multi_foreign_keys()),
        "comment": _table_comments(inspector),
    }


def _by_table(result: dict[tuple[str | None, str], Any]) -> dict[str, Any]:
    return {table: value for (_schema, table), value in result.items()}


def _table_comments(inspector: Inspector) -> dict[str, Any]:
    if not inspector.dialect.supports_comments:
        return {}
    return _by_table(inspector.get_multi_table_comment())


def _table_shape(
    name: str, reflected: dict[str, dict[str, Any]], declared: dict[str, str]
) -> TableShape:
    columns = tuple(
        ColumnShape(
            name=column["name"],
            declared_type=declared.get(column["name"], ""),
            nullable=bool(column["nullable"]),
            default=column.get("default"),
        )
        for column in reflected["columns"][name]
    )
    primary_key = reflected["primary_key"].get(name) or {}
    comment = reflected["comment"].get(name) or {}
    return TableShape(
        name=name,
        columns=columns,
        primary_key=tuple(primary_key.get("constrained_columns") or ()),
        indexes=_indexes(
            reflected["indexes"].get(name, []), reflected["unique"].get(name, [])
        ),
        foreign_keys=tuple(
            _foreign_key(key) for key in reflected["foreign_keys"].get(name, [])
        ),
        comment=comment.get("text"),
    )


def _indexes(
    indexes: list[dict[str, Any]], unique_constraints: list[dict[str, Any]]
) -> tuple[IndexShape, ...]:
    shapes = [
        IndexShape(
            name=index.get("name"),
            columns=tuple(str(column) for column in index["column_names"]),
            unique=bool(index.get("unique")),
        )
        for index in indexes
        # An expression index has no plain column list to compare.
        if None not in index["column_names"]
    ]
    covered = {(shape.columns, shape.unique) for shape in shapes}
    for constraint in unique_constraints:
        columns = tuple(constraint["column_names"])
        if (columns, True) not in covered:
            shapes.append(IndexShape(constraint.get("name"), columns, unique=True))
    return tuple(shapes)


def _foreign_key(key: dict[str, Any]) -> ForeignKeyShape:
    options = key.get("options") or {}
    return ForeignKeyShape(
        name=key.get("name"),
        columns=tuple(key["constrained_columns"]),
        referred_table=key["referred_table"],
        referred_columns=tuple(key["referred_columns"]),
        on_delete=options.get("ondelete"),
    )
