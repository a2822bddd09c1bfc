"""A Chainlit storage client that keeps files in a local directory.

Files are served to the browser only through URLs that carry a signature and
an expiry time, so a URL that leaks stops working and a URL cannot be made up.
The URL points at a route the assistant mounts (``/yonca/files/{token}``);
this module signs and verifies tokens and knows where the bytes are, the
route decides who may read them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from chainlit.data.storage_clients.base import BaseStorageClient
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from yonca.errors import InvalidInputError, StorageError

logger = logging.getLogger(__name__)

DEFAULT_URL_PREFIX = "/yonca/files"
DEFAULT_EXPIRY_SECONDS = 3600
SIDECAR_SUFFIX = ".yonca-meta.json"


@dataclass(frozen=True)
class SignedFile:
    """A file a valid token points at."""

    object_key: str
    path: Path
    mime: str
    content_disposition: str | None


class LocalStorageClient(BaseStorageClient):
    """Stores element files under ``root`` and hands out signed, expiring URLs."""

    def __init__(
        self,
        root: Path | str,
        secret: str,
        *,
        url_prefix: str = DEFAULT_URL_PREFIX,
        expiry_seconds: int = DEFAULT_EXPIRY_SECONDS,
    ) -> None:
        if not secret:
            raise InvalidInputError(
                "the local storage client needs a secret to sign file URLs; "
                "set CHAINLIT_AUTH_SECRET (run 'chainlit create-secret')"
            )
        self.root = Path(root).resolve()
        self.url_prefix = url_prefix.rstrip("/")
        self.expiry_seconds = expiry_seconds
        self._serializer = URLSafeTimedSerializer(secret, salt="yonca-files")

    def path_for(self, object_key: str) -> Path:
        """Return where ``object_key`` is stored, refusing keys that escape root."""
        key = PurePosixPath(object_key)
        if (
            not object_key
            or key.is_absolute()
            or any(part in ("", ".", "..") for part in key.parts)
            or "\x00" in object_key
            or "\\" in object_key
        ):
            raise InvalidInputError(
                f"object key {object_key!r} is not a plain relative path; "
                "use keys such as 'thread/element/name.pdf'"
            )
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise InvalidInputError(
                f"object key {object_key!r} leaves the storage root"
            )
        return path

    async def upload_file(
        self,
        object_key: str,
        data: bytes | str,
        mime: str = "application/octet-stream",
        overwrite: bool = True,
        content_disposition: str | None = None,
    ) -> dict[str, Any]:
        path = self.path_for(object_key)
        if not overwrite and path.exists():
            raise StorageError(
                f"a file is already stored under {object_key!r}; "
                "pass overwrite=True to replace it"
            )
        payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        sidecar = {"mime": mime, "content_disposition": content_disposition}
        try:
            await asyncio.to_thread(_write_atomically, path, payload, sidecar)
        except OSError as exc:
            raise StorageError(
                f"could not store file {object_key!r} under {self.root}: "
                f"{exc.strerror or exc}; check free disk space and permissions"
            ) from exc
        return {"object_key": object_key, "url": await self.get_read_url(object_key)}

    async def delete_file(self, object_key: str) -> bool:
        path = self.path_for(object_key)
        try:
            await asyncio.to_thread(_remove_file, path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise StorageError(
                f"could not delete file {object_key!r}: {exc.strerror or exc}"
            ) from exc
        return True

    async def get_read_url(self, object_key: str) -> str:
        self.path_for(object_key)
        token = self._serializer.dumps(object_key)
        return f"{self.url_prefix}/{token}"

    async def close(self) -> None:
        return None

    def open_token(self, token: str) -> SignedFile:
        """Return the file behind a URL token, or raise ``StorageError``.

        Expired, forged and malformed tokens are refused alike; the message
        says which so that logs can tell them apart.
        """
        try:
            object_key = self._serializer.loads(token, max_age=self.expiry_seconds)
        except SignatureExpired:
            raise StorageError("this file link has expired; reload the page") from None
        except BadSignature:
            raise StorageError("this file link is not valid") from None
        if not isinstance(object_key, str):
            raise StorageError("this file link is not valid")
        path = self.path_for(object_key)
        if not path.is_file():
            raise StorageError("the file behind this link no longer exists")
        meta = _read_sidecar(path)
        return SignedFile(
            object_key=object_key,
            path=path,
            mime=meta.get("mime") or "application/octet-stream",
            content_disposition=meta.get("content_disposition"),
        )


def _write_atomically(path: Path, payload: bytes, sidecar: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a reader never sees half a file
    # and a full disk leaves the old file in place.
    for target, content in (
        (path, payload),
        (path.with_name(path.name + SIDECAR_SUFFIX), json.dumps(sidecar).encode()),
    ):
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _remove_file(path: Path) -> None:
    path.with_name(path.name + SIDECAR_SUFFIX).unlink(missing_ok=True)
    path.unlink()


def _read_sidecar(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.with_name(path.name + SIDECAR_SUFFIX).read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}
