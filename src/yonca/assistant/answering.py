"""Streaming one answer from a model server into a Chainlit message.

The message is stored with a ``generation`` record in Chainlit's own format
(``literalai``'s ``ChatGeneration``, which Chainlit's steps carry), extended
with the flat keys the Yonca schema documents: ``promptTokens``,
``completionTokens`` and ``latencyMs``. When the server is down or lacks the
model, the farmer reads what to start or pull, and the step is stored with
``isError`` so that it never feeds back into the model's context.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import chainlit as cl
from chainlit.step import StepDict
from literalai import ChatGeneration

from yonca.assistant.models import (
    ChatMessages,
    ModelChoice,
    ModelClient,
    ModelError,
    ModelMissingError,
    ModelServerUnavailableError,
    Usage,
)
from yonca.assistant.texts import text

logger = logging.getLogger(__name__)


class AnswerMessage(cl.Message):
    """A Chainlit message that is stored with its generation record."""

    generation: dict[str, Any] | None = None

    def to_dict(self) -> StepDict:
        step = super().to_dict()
        if self.generation is not None:
            step["generation"] = self.generation
        return step


async def stream_answer(
    client: ModelClient,
    choice: ModelChoice,
    messages: ChatMessages,
    language: str,
) -> AnswerMessage:
    """Stream the model's answer to the farmer and store it; never raises
    for a model server's failure, which becomes an error message instead."""
    message = AnswerMessage(content="")
    usage: Usage | None = None
    failure: ModelError | None = None
    started = time.perf_counter()
    first_token_ms: float | None = None

    try:
        async for chunk in client.stream_chat(choice.model, messages):
            if chunk.text:
                if first_token_ms is None:
                    first_token_ms = (time.perf_counter() - started) * 1000
                await message.stream_token(chunk.text)
            usage = chunk.usage or usage
    except ModelError as exc:
        logger.warning("no answer from %s: %s", choice.key, exc)
        failure = exc

    latency_ms = round((time.perf_counter() - started) * 1000)
    if failure is not None:
        notice = failure_notice(failure, language)
        message.content = (
            f"{message.content}\n\n{notice}" if message.content else notice
        )
        message.is_error = True
    message.generation = generation_record(
        choice, usage, latency_ms, first_token_ms, failure
    )
    await message.send()
    return message


def failure_notice(failure: ModelError, language: str) -> str:
    if isinstance(failure, ModelServerUnavailableError):
        key = f"error.unavailable.{failure.provider}"
    elif isinstance(failure, ModelMissingError):
        key = f"error.missing.{failure.provider}"
    else:
        key = "error.failed"
    return text(key, language, url=failure.url, model=failure.model)


def generation_record(
    choice: ModelChoice,
    usage: Usage | None,
    latency_ms: int,
    first_token_ms: float | None,
    failure: ModelError | None,
) -> dict[str, Any]:
    usage = usage or Usage(None, None)
    generation = ChatGeneration(
        provider=choice.provider,
        model=choice.model,
        input_token_count=usage.prompt_tokens,
        output_token_count=usage.completion_tokens,
        token_count=usage.total_tokens,
        duration=latency_ms / 1000,
        tt_first_token=round(first_token_ms) if first_token_ms is not None else None,
        error=str(failure) if failure else None,
    )
    record: dict[str, Any] = generation.to_dict()
    record.update(
        promptTokens=usage.prompt_tokens,
        completionTokens=usage.completion_tokens,
        latencyMs=latency_ms,
    )
    return record


def attachment_note(elements: Sequence[Any], language: str) -> str | None:
    names = [
        str(element.name) for element in elements if getattr(element, "name", None)
    ]
    if not names:
        return None
    return text("attachments", language, names=", ".join(names))


def question_with_attachments(content: str, note: str | None) -> str:
    return f"{content}\n\n({note})" if note else content
