"""Create Yonca's domain tables beside the contract.

Profiles, sign-in credentials, synthetic farmer personas, farms and parcels
link to ``users.id`` by real foreign keys. ``thread_activity`` and
``thread_tombstones`` belong to the data layer: the first orders the sidebar
by last activity, the second keeps deleted threads deleted.

Revision ID: 0002_domain_tables
Revises: 0001_chainlit_contract
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_domain_tables"
down_revision: str | Sequence[str] | None = "0001_chainlit_contract"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_profiles",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "user_id",
            sa.String(36),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("email", sa.String(255)),
        sa.Column("display_name", sa.String(255)),
        sa.Column("language", sa.String(8), nullable=False, server_default="az"),
        sa.Column("created_at", sa.String(30), nullable=False),
        sa.Column("updated_at", sa.String(30), nullable=False),
    )
    op.create_index("ix_user_profiles_email", "user_profiles", ["email"])

    op.create_table(
        "user_credentials",
        sa.Column(
            "user_id",
            sa.String(36),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(30), nullable=False),
        sa.Column("updated_at", sa.String(30), nullable=False),
    )

    op.create_table(
        "alem_personas",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("fin", sa.String(7), nullable=False, unique=True),
        sa.Column(
            "chainlit_user_id",
            sa.String(36),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
        ),
        sa.Column("full_name", sa.String(255), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("crops", sa.Text(), nullable=False),
        sa.Column("experience_years", sa.Integer()),
        sa.Column("language", sa.String(8), nullable=False, server_default="az"),
        sa.Column("created_at", sa.String(30), nullable=False),
    )
    op.create_index(
        "ix_alem_personas_chainlit_user_id", "alem_personas", ["chainlit_user_id"]
    )

    op.create_table(
        "farms",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "owner_user_id",
            sa.String(36),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
        ),
        sa.Column(
            "persona_id",
            sa.String(36),
            sa.ForeignKey("alem_personas.id", ondelete="CASCADE"),
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("area_hectares", sa.Float()),
        sa.Column("created_at", sa.String(30), nullable=False),
    )
    op.create_index("ix_farms_owner_user_id", "farms", ["owner_user_id"])
    op.create_index("ix_farms_persona_id", "farms", ["persona_id"])

    op.create_table(
        "parcels",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "farm_id",
            sa.String(36),
            sa.ForeignKey("farms.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("crop", sa.String(64)),
        sa.Column("area_hectares", sa.Float()),
        sa.Column("soil_type", sa.String(64)),
        sa.Column("irrigation", sa.String(64)),
    )
    op.create_index("ix_parcels_farm_id", "parcels", ["farm_id"])

    op.create_table(
        "thread_activity",
        sa.Column(
            "thread_id",
            sa.String(36),
            sa.ForeignKey("threads.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.String(36),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
        ),
        sa.Column("last_activity_at", sa.String(30), nullable=False),
    )
    op.create_index(
        "ix_thread_activity_user_last",
        "thread_activity",
        ["user_id", "last_activity_at", "thread_id"],
    )
    # Threads written before this revision (by Chainlit's own layer, say)
    # get their activity from their newest step, so none vanish from the
    # sidebar.
    op.execute(
        """
        INSERT INTO thread_activity (thread_id, user_id, last_activity_at)
        SELECT t.id,
               CASE WHEN EXISTS (SELECT 1 FROM users u WHERE u.id = t."userId")
                    THEN t."userId" END,
               COALESCE(
                   (SELECT MAX(s."createdAt") FROM steps s
                    WHERE s."threadId" = t.id),
                   t."createdAt",
                   '1970-01-01T00:00:00.000000Z'
               )
        FROM threads t
        """
    )

    op.create_table(
        "thread_tombstones",
        sa.Column("thread_id", sa.String(36), primary_key=True),
        sa.Column("deleted_at", sa.String(30), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "thread_tombstones",
        "thread_activity",
        "parcels",
        "farms",
        "alem_personas",
        "user_credentials",
        "user_profiles",
    ):
        op.drop_table(table)
