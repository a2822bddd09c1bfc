"""Create the five Chainlit contract tables.

DO NOT MODIFY THIS MIGRATION. Chainlit's data layers and Yonca's own read
these tables by their exact column names and types. Data that has no column
belongs in the ``metadata`` JSON or in a domain table of a new revision.
Applied migrations are checksummed and the schema guard refuses this file
once it has changed.

Revision ID: 0001_chainlit_contract
Revises:
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_chainlit_contract"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT_COMMENT = "Chainlit contract table - DO NOT MODIFY SCHEMA"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("identifier", sa.String(255), nullable=False),
        sa.Column("createdAt", sa.String(30), nullable=False),
        sa.Column("metadata", sa.Text()),
    )
    op.create_index("ix_users_identifier", "users", ["identifier"], unique=True)

    op.create_table(
        "threads",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("createdAt", sa.String(30)),
        sa.Column("name", sa.String(255)),
        sa.Column("userId", sa.String(36)),
        sa.Column("userIdentifier", sa.String(255)),
        sa.Column("tags", sa.Text()),
        sa.Column("metadata", sa.Text()),
    )
    op.create_index("ix_threads_userId", "threads", ["userId"])

    op.create_table(
        "steps",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(255)),
        sa.Column("type", sa.String(50)),
        sa.Column("threadId", sa.String(36)),
        sa.Column("parentId", sa.String(36)),
        sa.Column("streaming", sa.Boolean()),
        sa.Column("waitForAnswer", sa.Boolean()),
        sa.Column("isError", sa.Boolean()),
        sa.Column("metadata", sa.Text()),
        sa.Column("tags", sa.Text()),
        sa.Column("input", sa.Text()),
        sa.Column("output", sa.Text()),
        sa.Column("createdAt", sa.String(30)),
        sa.Column("start", sa.String(30)),
        sa.Column("end", sa.String(30)),
        sa.Column("generation", sa.Text()),
        sa.Column("showInput", sa.String(10)),
        sa.Column("language", sa.String(50)),
        sa.Column("defaultOpen", sa.Boolean(), server_default=sa.text("false")),
    )
    op.create_index("ix_steps_threadId", "steps", ["threadId"])

    op.create_table(
        "elements",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("threadId", sa.String(36)),
        sa.Column("type", sa.String(50)),
        sa.Column("chainlitKey", sa.String(255)),
        sa.Column("url", sa.Text()),
        sa.Column("objectKey", sa.String(500)),
        sa.Column("name", sa.String(255)),
        sa.Column("display", sa.String(50)),
        sa.Column("size", sa.String(50)),
        sa.Column("language", sa.String(50)),
        sa.Column("page", sa.Integer()),
        sa.Column("autoPlay", sa.Boolean()),
        sa.Column("playerConfig", sa.Text()),
        sa.Column("forId", sa.String(36)),
        sa.Column("mime", sa.String(100)),
        sa.Column("props", sa.Text()),
    )
    op.create_index("ix_elements_threadId", "elements", ["threadId"])
    op.create_index("ix_elements_forId", "elements", ["forId"])

    op.create_table(
        "feedbacks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("forId", sa.String(36)),
        sa.Column("threadId", sa.String(36)),
        sa.Column("value", sa.Integer()),
        sa.Column("comment", sa.Text()),
    )
    op.create_index("ix_feedbacks_forId", "feedbacks", ["forId"])

    if op.get_bind().dialect.name == "postgresql":
        for table in ("users", "threads", "steps", "elements", "feedbacks"):
            op.create_table_comment(table, CONTRACT_COMMENT)


def downgrade() -> None:
    for table in ("feedbacks", "elements", "steps", "threads", "users"):
        op.drop_table(table)
