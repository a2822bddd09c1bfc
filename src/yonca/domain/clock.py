"""Timestamps in the form the contract stores them."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_timestamp() -> str:
    """Return now as ISO-8601 UTC with microseconds and a ``Z``.

    The same form the data layer writes, so that rows written by the domain
    and by Chainlit sort together as text.
    """
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
