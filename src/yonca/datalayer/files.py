"""Element files: what gets stored, where it is read from, how it is shown.

Bytes an element carries go to the storage client under a key that starts
with the thread id. A local ``path`` is read only inside the directories
Chainlit saves uploads to, and a ``url`` is never fetched: either would let a
client make the server read or request whatever it names.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import os
import re
import secrets
from pathlib import Path
from typing import Any

from chainlit.data.storage_clients.base import BaseStorageClient
from chainlit.element import Element, ElementDict

from yonca.datalayer import rows
from yonca.errors import InvalidInputError, StorageError
from yonca.storage.local import LocalStorageClient

logger = logging.getLogger(__name__)

UNSAFE_NAME_CHARACTERS = re.compile(r"[^\w.\- ]+")


class ElementFiles:
    """The storage client and upload directories of one data layer."""

    def __init__(self, storage: BaseStorageClient, upload_dirs: list[Path]) -> None:
        self.storage = storage
        self.upload_dirs = [Path(directory).resolve() for directory in upload_dirs]

    async def content_of(self, element: Element) -> bytes | str | None:
        """The bytes to store for ``element``, or ``None`` for a link only."""
        if isinstance(element.content, str):
            try:
                return element.content.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidInputError(
                    f"the text of element {element.name!r} contains an unpaired "
                    "surrogate, which no file can hold as UTF-8; remove it and send "
                    "the element again"
                ) from None
        if element.content is not None:
            return element.content
        if element.path:
            return await asyncio.to_thread(self._read_upload, element.path)
        return None

    def _read_upload(self, path_text: str) -> bytes:
        path = Path(path_text).resolve()
        if not any(path.is_relative_to(root) for root in self.upload_dirs):
            raise InvalidInputError(
                f"refusing to read {path_text!r}: element files are read only from "
                "Chainlit's upload directory; send the bytes as content instead"
            )
        try:
            return path.read_bytes()
        except OSError as exc:
            raise InvalidInputError(
                f"cannot read the uploaded file {path.name!r}: {exc.strerror or exc}"
            ) from exc

    async def upload(self, object_key: str, content: bytes | str, mime: str) -> None:
        try:
            await self.storage.upload_file(
                object_key=object_key, data=content, mime=mime, overwrite=True
            )
        except StorageError:
            raise
        except Exception as exc:
            raise StorageError(
                f"the storage client could not store {object_key!r}: {exc}"
            ) from exc

    async def element_dict(self, row: Any) -> ElementDict:
        """The element in ``row``, with a fresh URL for its stored file."""
        element = rows.element_from_row(row)
        object_key = element.get("objectKey")
        if object_key:
            try:
                element["url"] = await self.storage.get_read_url(object_key)
            except Exception:
                logger.warning(
                    "no read URL for element %s; keeping the stored one", element["id"]
                )
        return element

    async def delete(self, object_keys: list[str], *, quiet: bool = False) -> None:
        """Delete stored files; raise for any that stayed, unless ``quiet``."""
        failures = []
        for key in object_keys:
            try:
                await self.storage.delete_file(object_key=key)
            except Exception as exc:
                failures.append(f"{key}: {exc}")
        if failures and not quiet:
            raise StorageError(
                "the rows were deleted but these stored files were not: "
                + "; ".join(failures)
                + " (delete them from the storage by hand)"
            )
        if failures:
            logger.warning(
                "could not remove %d file(s) after a failed write", len(failures)
            )

    async def close(self) -> None:
        await self.storage.close()


def object_key_for(thread_id: str, element_id: str, name: str | None) -> str:
    return f"{thread_id}/{element_id}/{safe_file_name(name)}"


def guess_mime(name: str | None) -> str:
    guessed, _ = mimetypes.guess_type(name or "")
    return guessed or "application/octet-stream"


def safe_file_name(name: str | None) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    cleaned = UNSAFE_NAME_CHARACTERS.sub("_", base).strip(" .")
    return cleaned[:120] or "file"


def default_storage(
    files_dir: Path | str | None, secret: str | None
) -> LocalStorageClient:
    from yonca.settings import get_settings

    secret = secret or os.environ.get("CHAINLIT_AUTH_SECRET")
    if not secret:
        # Without a configured secret the links are signed with a key that
        # lives as long as the process; links are made fresh on every read.
        logger.info("no CHAINLIT_AUTH_SECRET: file links last until restart")
        secret = secrets.token_urlsafe(32)
    return LocalStorageClient(files_dir or get_settings().files_dir, secret)


def chainlit_upload_dirs() -> list[Path]:
    from chainlit.config import FILES_DIRECTORY

    return [Path(FILES_DIRECTORY)]
