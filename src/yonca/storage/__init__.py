"""Where element files live: a local directory by default, any Chainlit
``BaseStorageClient`` (S3, GCS, Azure) when configured."""

from yonca.storage.local import LocalStorageClient, SignedFile

__all__ = ["LocalStorageClient", "SignedFile"]
