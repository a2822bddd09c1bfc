"""The three implementations under test, opened on their own databases.

Each subject answers the same Chainlit data-layer calls (``list_threads``,
``get_thread``, ``create_step``, ``update_step``, ``upsert_feedback``):

* ``yonca``: ``YoncaDataLayer`` on the Yonca schema, with the local storage
  client the app uses;
* ``stock``: Chainlit 2.12.0's ``SQLAlchemyDataLayer`` on the stock schema,
  with a trivial local storage client (it refuses to store elements
  without one);
* ``raw``: hand-written SQL on asyncpg or sqlite3, on a copy of the Yonca
  database, signing element URLs with the same storage client as Yonca.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chainlit.context import ChainlitContext, context_var
from chainlit.data.storage_clients.base import BaseStorageClient
from chainlit.session import HTTPSession

from benchmarks.errors import BenchmarkError
from benchmarks.loading import sqlite_path
from benchmarks.raw_postgres import RawPostgresLayer
from benchmarks.raw_sqlite import RawSqliteLayer
from benchmarks.roundtrips import RoundTripCounter
from yonca.database import async_url, dialect_name
from yonca.storage.local import LocalStorageClient

logger = logging.getLogger(__name__)

SIGNING_SECRET = "benchmark-only-secret"
# The raw floor keeps as many connections as Yonca's engine keeps pooled on
# PostgreSQL (10; Yonca may open 20 more under load) and, on SQLite,
# SQLAlchemy's default five. Every subject of a run is open at once on a
# server other work shares, so the floor stays well below max_connections.
RAW_POOL_SIZE = {"postgresql": 10, "sqlite": 5}


class LocalFilesStorage(BaseStorageClient):
    """The least a storage client can be: files in a directory, plain URLs."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def upload_file(
        self,
        object_key: str,
        data: bytes | str,
        mime: str = "application/octet-stream",
        overwrite: bool = True,
        content_disposition: str | None = None,
    ) -> dict[str, Any]:
        path = self.root / object_key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return {"object_key": object_key, "url": await self.get_read_url(object_key)}

    async def delete_file(self, object_key: str) -> bool:
        (self.root / object_key).unlink(missing_ok=True)
        return True

    async def get_read_url(self, object_key: str) -> str:
        return f"/bench-files/{object_key}"

    async def close(self) -> None:
        return None


@dataclass
class Subject:
    """One implementation, ready to be called and counted."""

    name: str
    dialect: str
    layer: Any
    counter: RoundTripCounter = field(default_factory=RoundTripCounter)

    async def close(self) -> None:
        await self.layer.close()


def enter_chainlit_context() -> None:
    """Make the calls below look like Chainlit's HTTP handlers' calls.

    The stock layer's writes are wrapped in Chainlit's queue-until-first-
    message decorator, which reads the current session; an HTTP session
    runs them at once, as a live websocket session does after its first
    message.
    """
    session = HTTPSession(id=str(uuid.uuid4()), client_type="webapp")
    context_var.set(ChainlitContext(session))


async def open_subjects(
    urls: dict[str, str], files_dir: Path, implementations: tuple[str, ...]
) -> list[Subject]:
    """Open each implementation on its database; ``close`` them when done."""
    opened: list[Subject] = []
    try:
        for name in implementations:
            opened.append(await _open(name, urls[name], files_dir))
    except BaseException:
        for subject in opened:
            await subject.close()
        raise
    return opened


async def _open(name: str, url: str, files_dir: Path) -> Subject:
    dialect = dialect_name(url)
    counter = RoundTripCounter()
    signed = LocalStorageClient(files_dir / "yonca", SIGNING_SECRET)
    if name == "yonca":
        layer = _open_yonca(url, signed)
        counter.attach(layer.engine)
    elif name == "stock":
        from chainlit.data.sql_alchemy import SQLAlchemyDataLayer

        layer = SQLAlchemyDataLayer(
            conninfo=async_url(url).render_as_string(hide_password=False),
            storage_provider=LocalFilesStorage(files_dir / "stock"),
        )
        counter.attach(layer.engine)
    elif dialect == "postgresql":
        layer = await RawPostgresLayer.open(
            url, signed, counter, pool_size=RAW_POOL_SIZE[dialect]
        )
    else:
        layer = RawSqliteLayer(
            sqlite_path(url), signed, counter, pool_size=RAW_POOL_SIZE[dialect]
        )
    return Subject(name, dialect, layer, counter)


def _open_yonca(url: str, storage: BaseStorageClient) -> Any:
    try:
        from yonca.datalayer import YoncaDataLayer
    except ImportError as exc:
        raise BenchmarkError(
            f"YoncaDataLayer cannot be imported ({exc}); finish yonca.datalayer "
            "or run with --implementations stock,raw"
        ) from exc
    return YoncaDataLayer(conninfo=url, storage_provider=storage)
