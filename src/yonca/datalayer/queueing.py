"""Chainlit's queue-until-first-message, usable outside a Chainlit session."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from chainlit.context import context_var
from chainlit.data.utils import queue_until_user_message

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def queued(method: F) -> F:
    """Defer a write until the user's first message, as Chainlit's base does.

    Inside a websocket session the write waits for the first message, so
    that opening the app does not create an empty thread; scripts, tests and
    HTTP handlers have no session to wait for, so the write runs at once.
    """
    chainlit_queued = queue_until_user_message()(method)

    @functools.wraps(method)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if context_var.get(None) is None:
            return await method(self, *args, **kwargs)
        return await chainlit_queued(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
