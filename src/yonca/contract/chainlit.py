"""The five tables Chainlit persists conversations in.

Names, types, nullability, defaults and indexes are a contract: Chainlit's
own layers and any tool reading this database depend on them, so nothing here
may change. Timestamps are ISO-8601 UTC strings and JSON lives in TEXT because
that is what the contract fixes, not because it is the best type for either.

There are deliberately no foreign keys between these tables: Chainlit writes
a step and its thread concurrently, and the data layer keeps integrity itself.
"""

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)

from yonca.contract.metadata import metadata

ID = String(36)
TIMESTAMP = String(30)

users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("identifier", String(255), nullable=False),
    Column("createdAt", TIMESTAMP, nullable=False),
    Column("metadata", Text),
    Index("ix_users_identifier", "identifier", unique=True),
    comment="Chainlit contract table - DO NOT MODIFY SCHEMA",
)

threads = Table(
    "threads",
    metadata,
    Column("id", ID, primary_key=True),
    Column("createdAt", TIMESTAMP),
    Column("name", String(255)),
    Column("userId", ID),
    Column("userIdentifier", String(255)),
    Column("tags", Text),
    Column("metadata", Text),
    Index("ix_threads_userId", "userId"),
    comment="Chainlit contract table - DO NOT MODIFY SCHEMA",
)

steps = Table(
    "steps",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(255)),
    Column("type", String(50)),
    Column("threadId", ID),
    Column("parentId", ID),
    Column("streaming", Boolean),
    Column("waitForAnswer", Boolean),
    Column("isError", Boolean),
    Column("metadata", Text),
    Column("tags", Text),
    Column("input", Text),
    Column("output", Text),
    Column("createdAt", TIMESTAMP),
    Column("start", TIMESTAMP),
    Column("end", TIMESTAMP),
    Column("generation", Text),
    Column("showInput", String(10)),
    Column("language", String(50)),
    Column("defaultOpen", Boolean, server_default=text("false")),
    Index("ix_steps_threadId", "threadId"),
    comment="Chainlit contract table - DO NOT MODIFY SCHEMA",
)

elements = Table(
    "elements",
    metadata,
    Column("id", ID, primary_key=True),
    Column("threadId", ID),
    Column("type", String(50)),
    Column("chainlitKey", String(255)),
    Column("url", Text),
    Column("objectKey", String(500)),
    Column("name", String(255)),
    Column("display", String(50)),
    Column("size", String(50)),
    Column("language", String(50)),
    Column("page", Integer),
    Column("autoPlay", Boolean),
    Column("playerConfig", Text),
    Column("forId", ID),
    Column("mime", String(100)),
    Column("props", Text),
    Index("ix_elements_threadId", "threadId"),
    Index("ix_elements_forId", "forId"),
    comment="Chainlit contract table - DO NOT MODIFY SCHEMA",
)

feedbacks = Table(
    "feedbacks",
    metadata,
    Column("id", ID, primary_key=True),
    Column("forId", ID),
    Column("threadId", ID),
    Column("value", Integer),
    Column("comment", Text),
    Index("ix_feedbacks_forId", "forId"),
    comment="Chainlit contract table - DO NOT MODIFY SCHEMA",
)

CONTRACT_TABLES = (users, threads, steps, elements, feedbacks)
CONTRACT_TABLE_NAMES = frozenset(table.name for table in CONTRACT_TABLES)
