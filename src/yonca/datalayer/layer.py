"""``YoncaDataLayer``: Chainlit's conversation store on the contract schema.

Chainlit calls these methods from its server and from fire-and-forget tasks;
each one is a single transaction that either commits or raises. What makes
it different from Chainlit's stock SQL layer:

* the schema stays exactly the contract, and fields without a column are
  kept in the row's JSON instead of failing the INSERT;
* a step's thread exists before the step is written, in the same
  transaction, and a step's final text survives its first write arriving late;
* the sidebar is one indexed query per page, ordered by last activity;
* a deleted thread stays deleted, whatever late writes arrive for it.

The methods live in one module per kind of row (``users``, ``threads``,
``steps``, ``feedback``, ``elements``); this class puts them together.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chainlit.data.base import BaseDataLayer
from chainlit.data.storage_clients.base import BaseStorageClient
from sqlalchemy.ext.asyncio import AsyncEngine

from yonca.database import create_engine
from yonca.datalayer.elements import ElementMethods
from yonca.datalayer.feedback import FeedbackMethods
from yonca.datalayer.files import (
    ElementFiles,
    chainlit_upload_dirs,
    default_storage,
)
from yonca.datalayer.steps import StepMethods
from yonca.datalayer.threads import ThreadMethods
from yonca.datalayer.transactions import Transactions
from yonca.datalayer.users import UserMethods


# get_thread_author answers None for an unknown thread where Chainlit's
# signature says str; Chainlit's server treats any falsy author as unknown.
class YoncaDataLayer(  # type: ignore[misc]
    UserMethods,
    ThreadMethods,
    StepMethods,
    FeedbackMethods,
    ElementMethods,
    BaseDataLayer,
):
    """Persists Chainlit users, threads, steps, elements and feedback.

    ``conninfo`` is a database URL (``postgresql://...`` or ``sqlite:///...``).
    Element files go to ``storage_provider``, by default a local directory
    (``files_dir``) whose URLs are signed with ``secret`` (default:
    ``CHAINLIT_AUTH_SECRET``). Element paths are read only below
    ``upload_dirs`` (default: Chainlit's own upload directory). Writes that
    meet a dropped connection or a busy database are retried for
    ``retry_seconds`` before they raise.
    """

    def __init__(
        self,
        conninfo: str,
        storage_provider: BaseStorageClient | None = None,
        *,
        files_dir: Path | str | None = None,
        secret: str | None = None,
        upload_dirs: list[Path] | None = None,
        retry_seconds: float = 30.0,
        engine_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.engine: AsyncEngine = create_engine(conninfo, **dict(engine_options or {}))
        self.transactions = Transactions(self.engine, retry_seconds=retry_seconds)
        self.files = ElementFiles(
            storage_provider or default_storage(files_dir, secret),
            upload_dirs or chainlit_upload_dirs(),
        )

    @property
    def storage_provider(self) -> Any:
        return self.files.storage

    async def build_debug_url(self) -> str:
        return ""

    async def close(self) -> None:
        try:
            await self.files.close()
        finally:
            await self.engine.dispose()
