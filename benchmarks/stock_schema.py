"""The schema Chainlit 2.12.0's ``SQLAlchemyDataLayer`` needs to work at all.

It is the seed's five tables with the seed's names, types and indexes, plus
what the stock layer's own code demands, found by reading
``chainlit/data/sql_alchemy.py`` and running it:

* it builds each INSERT from the keys of the dict it is given, so steps need
  columns for every key Chainlit 2.12 sends that the seed lacks: ``command``,
  ``modes`` and ``autoCollapse``;
* on PostgreSQL it binds Python lists (thread and step ``tags``) and the
  driver refuses a list for a TEXT column, so those are ``TEXT[]``;
* it writes JSON text into ``metadata``, ``generation``, ``props`` and
  ``modes``; on PostgreSQL they are ``JSONB`` as in Chainlit's documented
  schema, so that reads hand back dicts as the UI expects.

SQLite has neither arrays nor JSONB; there the stock layer can store
``tags`` nowhere (binding a list fails and the error is only logged), which
is how users run it today.
"""

from __future__ import annotations

POSTGRES_TYPES = {"json": "JSONB", "tags": "TEXT[]"}
SQLITE_TYPES = {"json": "TEXT", "tags": "TEXT"}

_TEMPLATE = """
CREATE TABLE users (
    id VARCHAR(36) PRIMARY KEY,
    identifier VARCHAR(255) NOT NULL,
    "createdAt" VARCHAR(30) NOT NULL,
    metadata {json}
);
CREATE UNIQUE INDEX ix_users_identifier ON users (identifier);

CREATE TABLE threads (
    id VARCHAR(36) PRIMARY KEY,
    "createdAt" VARCHAR(30),
    name VARCHAR(255),
    "userId" VARCHAR(36),
    "userIdentifier" VARCHAR(255),
    tags {tags},
    metadata {json}
);
CREATE INDEX "ix_threads_userId" ON threads ("userId");

CREATE TABLE steps (
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(255),
    type VARCHAR(50),
    "threadId" VARCHAR(36),
    "parentId" VARCHAR(36),
    streaming BOOLEAN,
    "waitForAnswer" BOOLEAN,
    "isError" BOOLEAN,
    metadata {json},
    tags {tags},
    input TEXT,
    output TEXT,
    "createdAt" VARCHAR(30),
    start VARCHAR(30),
    "end" VARCHAR(30),
    generation {json},
    "showInput" VARCHAR(10),
    language VARCHAR(50),
    "defaultOpen" BOOLEAN DEFAULT false,
    command TEXT,
    modes {json},
    "autoCollapse" BOOLEAN
);
CREATE INDEX "ix_steps_threadId" ON steps ("threadId");

CREATE TABLE elements (
    id VARCHAR(36) PRIMARY KEY,
    "threadId" VARCHAR(36),
    type VARCHAR(50),
    "chainlitKey" VARCHAR(255),
    url TEXT,
    "objectKey" VARCHAR(500),
    name VARCHAR(255),
    display VARCHAR(50),
    size VARCHAR(50),
    language VARCHAR(50),
    page INTEGER,
    "autoPlay" BOOLEAN,
    "playerConfig" {json},
    "forId" VARCHAR(36),
    mime VARCHAR(100),
    props {json}
);
CREATE INDEX "ix_elements_threadId" ON elements ("threadId");
CREATE INDEX "ix_elements_forId" ON elements ("forId");

CREATE TABLE feedbacks (
    id VARCHAR(36) PRIMARY KEY,
    "forId" VARCHAR(36),
    "threadId" VARCHAR(36),
    value INTEGER,
    comment TEXT
);
CREATE INDEX "ix_feedbacks_forId" ON feedbacks ("forId");
"""


def stock_schema_statements(dialect: str) -> list[str]:
    """Return the CREATE statements of the stock schema, one per item."""
    types = POSTGRES_TYPES if dialect == "postgresql" else SQLITE_TYPES
    script = _TEMPLATE.format(**types)
    return [part.strip() for part in script.split(";") if part.strip()]
