"""The exceptions Yonca raises on purpose.

Every message says what went wrong and what to do next, so that the CLI can
print it as it is and a caller can show it to a person.
"""

from __future__ import annotations


class YoncaError(Exception):
    """Base class of every error Yonca raises on purpose."""


class ConfigurationError(YoncaError):
    """A setting is missing or cannot be used."""


class InvalidInputError(YoncaError, ValueError):
    """A value sent to the data layer cannot be stored as it is.

    Nothing was written: the caller still holds the value and can fix it.
    """


class NotFoundError(YoncaError, LookupError):
    """A row the operation depends on does not exist."""


class ThreadDeletedError(YoncaError):
    """A write arrived for a thread that has been deleted.

    Chainlit may still hold a session open on a thread the user has just
    deleted; writing its late updates would bring the thread back.
    """

    def __init__(self, thread_id: str) -> None:
        super().__init__(
            f"thread {thread_id!r} was deleted; the write was refused so that the "
            "thread stays deleted (start a new conversation instead)"
        )
        self.thread_id = thread_id


class OwnershipError(YoncaError, PermissionError):
    """An operation would reach a row that belongs to another user."""


class PersistenceError(YoncaError):
    """The database did not accept a write, even after retrying.

    ``kind`` names the statement (``"create_step"``, ``"update_thread"``...)
    so that logs never need to carry the user's text.
    """

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"could not {kind.replace('_', ' ')}: {reason}")
        self.kind = kind
        self.reason = reason


class StorageError(YoncaError):
    """A file could not be stored, read or deleted by the storage client."""


class SchemaNotReadyError(YoncaError):
    """The database schema is missing or behind the code."""


class DatabaseUnavailableError(YoncaError):
    """The database could not be reached or opened."""
