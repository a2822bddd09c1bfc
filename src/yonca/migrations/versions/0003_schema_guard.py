"""Add the schema guard: the migration lock's checksums and the DDL guard.

From here on every applied revision records a checksum of its normalized
source (see yonca.guard.lock); the revisions applied before this one are
recorded here, from their files as they are now. On PostgreSQL the DDL guard's
event triggers are installed when the role is a superuser; otherwise the
migration goes on and 'yonca db check' reports the guard as missing. SQLite
has no event triggers, so there this installs nothing.

Revision ID: 0003_schema_guard
Revises: 0002_domain_tables
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from yonca.guard import ddl_guard, lock

revision: str = "0003_schema_guard"
down_revision: str | Sequence[str] | None = "0002_domain_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "yonca_migration_checksums",
        sa.Column("revision", sa.String(255), primary_key=True),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.String(30), nullable=False),
    )
    bind = op.get_bind()
    earlier = context.script.iterate_revisions("0002_domain_tables", "base")
    lock.record_revisions(bind, earlier)

    if bind.dialect.name == "postgresql":
        ddl_guard.install_if_permitted(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        ddl_guard.uninstall(bind)
    op.drop_table("yonca_migration_checksums")
