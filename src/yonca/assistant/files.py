"""``GET /yonca/files/{token}``: element files, to the people who may read them.

The token is a signed, expiring link made by the storage client; it names
the file but grants nothing by itself. The signed-in user must own the
thread the file belongs to (the first segment of its object key) or the
thread must be shared.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from yonca.assistant.ownership import CurrentUser, data_layer_or_fail
from yonca.errors import InvalidInputError, StorageError
from yonca.storage import LocalStorageClient

logger = logging.getLogger(__name__)

# Types a browser would run as a page or script: always downloaded, never
# shown, so that an uploaded file cannot act on Yonca's origin.
ACTIVE_MIME_MARKERS = ("html", "xml", "javascript", "ecmascript", "svg")


def files_router(storage: LocalStorageClient) -> APIRouter:
    router = APIRouter()

    @router.get(f"{storage.url_prefix}/{{token}}")
    async def read_file(token: str, current_user: CurrentUser) -> FileResponse:
        if current_user is None:
            raise HTTPException(status_code=401, detail="sign in to open files")

        try:
            signed = storage.open_token(token)
        except (StorageError, InvalidInputError) as exc:
            logger.info("refused a file link: %s", exc)
            raise HTTPException(
                status_code=404,
                detail="this file link is not valid or has expired; reload the page",
            ) from None

        thread_id = signed.object_key.split("/", 1)[0]
        data_layer = data_layer_or_fail()
        if not await data_layer.can_read_thread(thread_id, current_user.identifier):
            raise HTTPException(
                status_code=403, detail="this file belongs to another conversation"
            )

        active = any(marker in signed.mime.lower() for marker in ACTIVE_MIME_MARKERS)
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private"}
        if active:
            headers["Content-Security-Policy"] = "sandbox"
        return FileResponse(
            signed.path,
            media_type=signed.mime,
            filename=PurePosixPath(signed.object_key).name,
            content_disposition_type="attachment" if active else "inline",
            headers=headers,
        )

    return router
