"""Alembic environment: runs Yonca's revisions on the async engine."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from yonca.contract import metadata
from yonca.database import create_engine
from yonca.guard import lock

config = context.config
# The guard's checksum table sits beside the contract; listing its metadata
# keeps autogenerate from proposing to drop it.
target_metadata = [metadata, lock.metadata]


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the
        # table for revisions that need it.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # One transaction per revision: a sanctioned migration's SET LOCAL
        # (allow_contract_ddl) then ends with it instead of covering the
        # revisions after it, and each revision's checksum is recorded with it.
        transaction_per_migration=True,
        on_version_apply=lock.record_migration,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    engine = create_engine(config.attributes["database_url"], create_directory=True)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit(
        "Yonca's migrations run against a live database; "
        "use 'yonca db upgrade --database-url URL'"
    )

asyncio.run(run_online())
