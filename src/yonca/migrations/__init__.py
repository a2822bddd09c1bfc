"""Alembic migrations shipped inside the package, and the calls that run them.

An installed ``yonca`` can migrate any database it is pointed at; nothing
depends on an ``alembic.ini`` in the working directory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from yonca.database import async_url, create_engine
from yonca.errors import DatabaseUnavailableError

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    # The URL goes through attributes, not the ini options, because
    # ConfigParser would try to interpolate a '%' in a password.
    config.attributes["database_url"] = async_url(database_url).render_as_string(
        hide_password=False
    )
    return config


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Bring the database at ``database_url`` up to ``revision``."""
    logger.info(
        "upgrading %s to %s", async_url(database_url).render_as_string(), revision
    )
    with _reaching(database_url):
        command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


@dataclass(frozen=True)
class RevisionState:
    """Where a database stands against the migrations this code ships."""

    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def up_to_date(self) -> bool:
        return set(self.current) == set(self.heads)


def revision_state(database_url: str) -> RevisionState:
    """Read the applied revisions of a database without changing it."""

    def read(connection: Connection) -> tuple[str, ...]:
        context = MigrationContext.configure(connection)
        return tuple(sorted(context.get_current_heads()))

    async def run() -> tuple[str, ...]:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(read)
        finally:
            await engine.dispose()

    require_existing_sqlite_file(database_url)
    with _reaching(database_url):
        current = asyncio.run(run())
    heads = tuple(sorted(script_directory().get_heads()))
    return RevisionState(current=current, heads=heads)


@contextmanager
def _reaching(database_url: str) -> Iterator[None]:
    """Turn "the database is not there" into an error that says what to do."""
    try:
        yield
    except (DBAPIError, OSError) as exc:
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        shown = async_url(database_url).render_as_string(hide_password=True)
        raise DatabaseUnavailableError(
            f"could not reach {shown}: {reason}; make sure the server is running "
            "and the URL and credentials are right"
        ) from None


def require_existing_sqlite_file(database_url: str) -> None:
    # Opening a SQLite file that does not exist would create an empty one and
    # report it as behind; a typo in the path deserves a clearer word.
    parsed = async_url(database_url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return
    path = Path(parsed.database).expanduser()
    if not path.exists():
        raise DatabaseUnavailableError(
            f"there is no SQLite database at {path}; check the URL, or run "
            "'yonca db upgrade' to create it"
        )
