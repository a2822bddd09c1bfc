"""Conversions between the values Chainlit hands over and what a column holds.

The contract stores JSON in TEXT, timestamps as ISO-8601 strings and short
strings in VARCHAR columns of fixed length. Chainlit does not know any of
that, so every value crosses this module on its way in and out:

* JSON is validated before it is written: types JSON cannot hold, NaN and
  nesting too deep to read back are refused with the path of the bad value.
* Timestamps in any ISO form are stored as UTC with microseconds and a ``Z``
  (``2026-01-21T15:30:00.123456Z``), which sorts as text in time order.
* A string a column cannot hold verbatim (too long, a NUL byte, a lone
  surrogate) is stored in the column as near as it can be and kept whole in
  the row's JSON under ``OVERFLOW_KEY``, so reading it back loses nothing.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from yonca.errors import InvalidInputError

logger = logging.getLogger(__name__)

# Values without a column of their own, kept inside a JSON column of the row.
OVERFLOW_KEY = "_yonca_fields"
# What a JSON column held when it could not be parsed (rows from older code).
UNREADABLE_KEY = "_yonca_unreadable"

ID_LENGTH = 36
# Deeper documents than this cannot be read back by every JSON parser the
# browser or other tools use; refusing them on write keeps reads safe.
MAX_JSON_DEPTH = 200

_JSON_SCALARS = (str, int, float, bool, type(None))


def utc_now() -> str:
    return format_timestamp(datetime.now(UTC))


def format_timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalize_timestamp(value: Any, field: str) -> str | None:
    """Return ``value`` as a UTC timestamp string, or raise if it is not one.

    Accepts ``datetime`` objects and ISO-8601 strings with ``Z``, an offset or
    no zone at all (taken as UTC, which is what Chainlit means by it).
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            return format_timestamp(datetime.fromisoformat(text))
        except ValueError:
            pass
    raise InvalidInputError(
        f"{field} must be an ISO-8601 timestamp such as "
        f"'2026-01-21T15:30:00.123Z', not {_preview(value)}"
    )


def require_id(value: Any, field: str) -> str:
    """Return ``value`` as an id the contract's VARCHAR(36) columns can hold."""
    if value is None or value == "":
        raise InvalidInputError(f"{field} is missing; every row needs an id")
    text = str(value)
    if len(text) > ID_LENGTH:
        raise InvalidInputError(
            f"{field} {_preview(text)} is {len(text)} characters long; ids hold at "
            f"most {ID_LENGTH} (use a UUID)"
        )
    if "\x00" in text or not _encodable(text):
        raise InvalidInputError(
            f"{field} {_preview(text)} contains characters an id cannot hold; "
            "use a UUID"
        )
    return text


def optional_id(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    return require_id(value, field)


def dump_json(value: Any, field: str) -> str | None:
    """Serialize ``value`` for a TEXT column, refusing what cannot come back."""
    if value is None:
        return None
    _check_json(value, field)
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except RecursionError:
        raise InvalidInputError(
            f"{field} is nested too deeply to store; flatten it below "
            f"{MAX_JSON_DEPTH} levels"
        ) from None
    if _encodable(text):
        return text
    # Lone surrogates cannot be encoded as UTF-8 for the database; the ASCII
    # form escapes them and json.loads restores them exactly.
    return json.dumps(value, ensure_ascii=True, allow_nan=False)


def _check_json(value: Any, field: str) -> None:
    # Walk the document once, iteratively, so that the error can name the
    # exact path of the first value JSON cannot hold.
    pending: list[tuple[Any, str, int]] = [(value, field, 0)]
    while pending:
        item, path, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise InvalidInputError(
                f"{field} is nested more than {MAX_JSON_DEPTH} levels deep; "
                "flatten it before storing"
            )
        if isinstance(item, float) and not math.isfinite(item):
            raise InvalidInputError(
                f"{path} is {item!r}, which JSON cannot represent; store null or "
                "a string instead"
            )
        if isinstance(item, _JSON_SCALARS):
            continue
        if isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise InvalidInputError(
                        f"{path} has the key {key!r} of type {type(key).__name__}; "
                        "JSON object keys must be strings"
                    )
                pending.append((child, f"{path}[{key!r}]", depth + 1))
            continue
        if isinstance(item, list | tuple):
            for index, child in enumerate(item):
                pending.append((child, f"{path}[{index}]", depth + 1))
            continue
        raise InvalidInputError(
            f"{path} holds a {type(item).__module__}.{type(item).__qualname__}, which "
            "JSON cannot store; convert it first (an ISO string for a datetime, a "
            "string for a Decimal or UUID, a list for a set, base64 for bytes)"
        )


def load_json(text: Any, field: str) -> Any:
    """Parse a JSON column; ``None`` when the column is empty or unreadable."""
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        # A driver that decodes JSON itself (a JSONB column on an older
        # schema) already did the work.
        return text
    try:
        return json.loads(text)
    except ValueError:
        logger.warning("%s holds text that is not JSON; returning it unparsed", field)
        return _Unreadable(text)


class _Unreadable(str):
    """Marks column text that could not be parsed as JSON."""


def load_json_object(text: Any, field: str) -> dict[str, Any]:
    """Parse a JSON column that holds an object, never losing what it held.

    Text that is not a JSON object (written by older code or by hand) comes
    back under ``UNREADABLE_KEY``, so that a later merge writes it back
    instead of dropping it.
    """
    value = load_json(text, field)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, _Unreadable):
        return {UNREADABLE_KEY: str(value)}
    return {UNREADABLE_KEY: text}


def load_json_list(text: Any, field: str) -> list[Any] | None:
    value = load_json(text, field)
    if value is None or isinstance(value, list):
        return value
    if isinstance(value, _Unreadable):
        return None
    return [value]


def fit_text(
    value: Any, length: int | None, field: str, overflow: dict[str, Any]
) -> str | None:
    """Return what the column stores for ``value``, keeping the rest aside.

    When the column cannot hold the string exactly, the exact string goes to
    ``overflow`` (stored in the row's JSON) and the column gets the nearest
    value it can hold, so that SQL readers still see something sensible.
    """
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    fitted = text.replace("\x00", "")
    if not _encodable(fitted):
        fitted = fitted.encode("utf-8", "replace").decode("utf-8")
    if length is not None and len(fitted) > length:
        fitted = fitted[: length - 1] + "…"
    if fitted != text:
        overflow[field] = text
    return fitted


def feedback_to_stored(value: Any) -> int:
    """Chainlit rates with 1 (👍) and 0 (👎); the contract stores 1 and -1."""
    if value in (1, True) and not isinstance(value, float):
        return 1
    if value in (0, -1, False) and not isinstance(value, float):
        return -1
    raise InvalidInputError(
        f"feedback value must be 1 (👍) or 0 (👎), not {_preview(value)}"
    )


def feedback_from_stored(value: Any) -> int:
    # Rows written by older code may hold 0 for 👎; anything not positive is 👎.
    return 1 if value is not None and int(value) > 0 else 0


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def merge_metadata(base: dict[str, Any], incoming: Mapping[str, Any]) -> dict[str, Any]:
    """Merge metadata as Chainlit expects: a key set to ``None`` is removed."""
    merged = dict(base)
    for key, value in incoming.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def lookup_id(value: Any) -> str | None:
    """``value`` as an id to look up, or ``None`` when no row can have it.

    Ids arrive from URLs and sockets; one the contract could never have
    stored (too long, a NUL byte) is simply not found, instead of reaching
    a database that would refuse the query itself.
    """
    try:
        return require_id(value, "id")
    except InvalidInputError:
        return None


def searchable_text(term: str) -> str:
    """A search term as the text columns hold it (see ``fit_text``)."""
    return fit_text(term, None, "search", {}) or ""
