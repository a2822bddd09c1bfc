"""Yonca's own tables, beside the Chainlit contract.

These link to ``users.id`` with real foreign keys; the contract tables never
learn about them. Two of them exist only to serve the data layer:
``thread_activity`` orders the sidebar by last activity without reading
every step, and ``thread_tombstones`` keeps a deleted thread deleted when a
late write for it arrives.
"""

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from yonca.contract.metadata import metadata

ID = String(36)
TIMESTAMP = String(30)

user_profiles = Table(
    "user_profiles",
    metadata,
    Column("id", ID, primary_key=True),
    Column(
        "user_id",
        ID,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("email", String(255)),
    Column("display_name", String(255)),
    Column("language", String(8), nullable=False, server_default="az"),
    Column("created_at", TIMESTAMP, nullable=False),
    Column("updated_at", TIMESTAMP, nullable=False),
    Index("ix_user_profiles_email", "email"),
)

user_credentials = Table(
    "user_credentials",
    metadata,
    Column(
        "user_id",
        ID,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("password_hash", Text, nullable=False),
    Column("created_at", TIMESTAMP, nullable=False),
    Column("updated_at", TIMESTAMP, nullable=False),
)

alem_personas = Table(
    "alem_personas",
    metadata,
    Column("id", ID, primary_key=True),
    Column("fin", String(7), nullable=False, unique=True),
    Column(
        "chainlit_user_id",
        ID,
        ForeignKey("users.id", ondelete="SET NULL"),
    ),
    Column("full_name", String(255), nullable=False),
    Column("region", String(64), nullable=False),
    Column("crops", Text, nullable=False),
    Column("experience_years", Integer),
    Column("language", String(8), nullable=False, server_default="az"),
    Column("created_at", TIMESTAMP, nullable=False),
    Index("ix_alem_personas_chainlit_user_id", "chainlit_user_id"),
)

farms = Table(
    "farms",
    metadata,
    Column("id", ID, primary_key=True),
    Column(
        "owner_user_id",
        ID,
        ForeignKey("users.id", ondelete="CASCADE"),
    ),
    Column(
        "persona_id",
        ID,
        ForeignKey("alem_personas.id", ondelete="CASCADE"),
    ),
    Column("name", String(255), nullable=False),
    Column("region", String(64), nullable=False),
    Column("area_hectares", Float),
    Column("created_at", TIMESTAMP, nullable=False),
    Index("ix_farms_owner_user_id", "owner_user_id"),
    Index("ix_farms_persona_id", "persona_id"),
)

parcels = Table(
    "parcels",
    metadata,
    Column("id", ID, primary_key=True),
    Column(
        "farm_id",
        ID,
        ForeignKey("farms.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("name", String(255), nullable=False),
    Column("crop", String(64)),
    Column("area_hectares", Float),
    Column("soil_type", String(64)),
    Column("irrigation", String(64)),
    Index("ix_parcels_farm_id", "farm_id"),
)

thread_activity = Table(
    "thread_activity",
    metadata,
    Column(
        "thread_id",
        ID,
        ForeignKey("threads.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE")),
    Column("last_activity_at", TIMESTAMP, nullable=False),
    # The sidebar asks for one user's threads, newest activity first, a page
    # at a time: this index answers that with a range scan of one page.
    Index(
        "ix_thread_activity_user_last",
        "user_id",
        "last_activity_at",
        "thread_id",
    ),
)

thread_tombstones = Table(
    "thread_tombstones",
    metadata,
    Column("thread_id", ID, primary_key=True),
    Column("deleted_at", TIMESTAMP, nullable=False),
)

DOMAIN_TABLES = (
    user_profiles,
    user_credentials,
    alem_personas,
    farms,
    parcels,
    thread_activity,
    thread_tombstones,
)
DOMAIN_TABLE_NAMES = frozenset(table.name for table in DOMAIN_TABLES)
