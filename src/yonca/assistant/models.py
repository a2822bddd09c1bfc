"""Model servers the assistant streams answers from.

Two kinds, each through its maintained Python client: Ollama
(``ollama.AsyncClient``) and any server speaking OpenAI's chat API
(``openai.AsyncOpenAI``: vLLM, llama.cpp's server, LM Studio). Both stream the
same ``ChatChunk`` values and fail with the same three errors, so the rest of
the assistant never learns which one it talks to.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import httpx
import ollama
import openai
from openai.types.chat import ChatCompletionMessageParam

from yonca.assistant.configuration import AssistantSettings
from yonca.errors import ConfigurationError, YoncaError

logger = logging.getLogger(__name__)

OLLAMA_DEFAULT_URL = "http://localhost:11434"
# Seconds allowed to list models when a chat starts; the list only fills the
# settings menu, so a slow server must not hold the chat up.
LIST_TIMEOUT = 3.0

ChatMessages = Sequence[Mapping[str, Any]]


class ModelError(YoncaError):
    """A model server could not give an answer."""

    def __init__(self, message: str, *, provider: str, model: str, url: str) -> None:
        super().__init__(message)
        self.provider = provider
        self.model = model
        self.url = url


class ModelServerUnavailableError(ModelError):
    """Nothing answers at the model server's address."""


class ModelMissingError(ModelError):
    """The server runs but does not have the model."""


class ModelFailedError(ModelError):
    """The server answered with an error or stopped answering."""


@dataclass(frozen=True)
class ModelChoice:
    """A model on a provider, written ``provider:model`` in settings."""

    provider: str
    model: str

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.model}"

    @classmethod
    def from_key(cls, key: str) -> ModelChoice:
        provider, separator, model = key.partition(":")
        if not separator or not model:
            raise ConfigurationError(
                f"model {key!r} does not name its provider; write it as "
                "'ollama:qwen3:4b' or 'openai:<model>'"
            )
        return cls(provider, model)

    def as_metadata(self) -> dict[str, str]:
        return {"provider": self.provider, "model": self.model}


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int | None
    completion_tokens: int | None

    @property
    def total_tokens(self) -> int | None:
        if self.prompt_tokens is None or self.completion_tokens is None:
            return None
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class ChatChunk:
    """A piece of an answer; the last one of a stream carries the usage."""

    text: str
    usage: Usage | None = None


class ModelClient(Protocol):
    provider: str
    url: str

    async def list_models(self) -> list[str]: ...

    def stream_chat(
        self, model: str, messages: ChatMessages
    ) -> AsyncIterator[ChatChunk]: ...

    async def aclose(self) -> None: ...


class OllamaClient:
    provider = "ollama"

    def __init__(self, url: str | None, timeout: float) -> None:
        self._client = ollama.AsyncClient(host=url, timeout=timeout)
        # For messages only: the client resolves the address the same way.
        self.url = url or os.environ.get("OLLAMA_HOST") or OLLAMA_DEFAULT_URL

    async def list_models(self) -> list[str]:
        response = await self._client.list()
        return [model.model for model in response.models if model.model]

    async def aclose(self) -> None:
        await self._client.close()

    async def stream_chat(
        self, model: str, messages: ChatMessages
    ) -> AsyncIterator[ChatChunk]:
        try:
            # Thinking is switched off: farmers wait for the answer, and
            # thinking models would otherwise spend minutes before the first
            # visible word on a small machine.
            stream = await self._client.chat(
                model=model, messages=list(messages), stream=True, think=False
            )
            async for part in stream:
                usage = None
                if part.done:
                    usage = Usage(part.prompt_eval_count, part.eval_count)
                yield ChatChunk(part.message.content or "", usage)
        except (ConnectionError, httpx.ConnectError) as exc:
            raise self._error(ModelServerUnavailableError, model, exc) from exc
        except ollama.ResponseError as exc:
            kind = ModelMissingError if exc.status_code == 404 else ModelFailedError
            raise self._error(kind, model, exc) from exc
        except httpx.HTTPError as exc:
            raise self._error(ModelFailedError, model, exc) from exc

    def _error(
        self, kind: type[ModelError], model: str, cause: BaseException
    ) -> ModelError:
        detail = str(cause) or type(cause).__name__
        return kind(
            f"Ollama at {self.url} could not answer with {model}: {detail}",
            provider=self.provider,
            model=model,
            url=self.url,
        )


class OpenAICompatibleClient:
    provider = "openai"

    def __init__(self, base_url: str, api_key: str, timeout: float) -> None:
        self.url = base_url.rstrip("/")
        # No retries: a farmer waiting for an answer is better told at once
        # that the server is down than after several silent attempts.
        self._client = openai.AsyncOpenAI(
            base_url=self.url, api_key=api_key, timeout=timeout, max_retries=0
        )

    async def list_models(self) -> list[str]:
        page = await self._client.models.list()
        return [model.id for model in page.data]

    async def aclose(self) -> None:
        await self._client.close()

    async def stream_chat(
        self, model: str, messages: ChatMessages
    ) -> AsyncIterator[ChatChunk]:
        try:
            stream = await self._client.chat.completions.create(
                model=model,
                messages=cast("list[ChatCompletionMessageParam]", list(messages)),
                stream=True,
                stream_options={"include_usage": True},
            )
            async for chunk in stream:
                text = ""
                if chunk.choices and chunk.choices[0].delta.content:
                    text = chunk.choices[0].delta.content
                usage = None
                if chunk.usage is not None:
                    usage = Usage(
                        chunk.usage.prompt_tokens, chunk.usage.completion_tokens
                    )
                if text or usage:
                    yield ChatChunk(text, usage)
        except openai.APIConnectionError as exc:
            kind: type[ModelError] = ModelServerUnavailableError
            if isinstance(exc, openai.APITimeoutError):
                kind = ModelFailedError
            raise self._error(kind, model, exc) from exc
        except openai.NotFoundError as exc:
            raise self._error(ModelMissingError, model, exc) from exc
        except openai.APIError as exc:
            raise self._error(ModelFailedError, model, exc) from exc

    def _error(
        self, kind: type[ModelError], model: str, cause: BaseException
    ) -> ModelError:
        return kind(
            f"the OpenAI-compatible server at {self.url} could not answer with "
            f"{model}: {cause}",
            provider=self.provider,
            model=model,
            url=self.url,
        )


class ModelCatalog:
    """The configured providers, their clients, and the default model."""

    def __init__(self, settings: AssistantSettings) -> None:
        if settings.model_provider == "openai" and not settings.openai_base_url:
            raise ConfigurationError(
                "YONCA_MODEL_PROVIDER is 'openai' but YONCA_OPENAI_BASE_URL is not "
                "set; set it to your server's address, e.g. http://localhost:8080/v1"
            )
        self.clients: dict[str, ModelClient] = {
            "ollama": OllamaClient(settings.ollama_url, settings.model_timeout)
        }
        if settings.openai_base_url:
            self.clients["openai"] = OpenAICompatibleClient(
                settings.openai_base_url,
                settings.openai_api_key,
                settings.model_timeout,
            )
        self.default = ModelChoice(settings.model_provider, settings.model)

    def client_for(self, choice: ModelChoice) -> ModelClient:
        client = self.clients.get(choice.provider)
        if client is None:
            raise ConfigurationError(
                f"model provider {choice.provider!r} is not configured; choose a "
                f"model of {', '.join(self.clients)} in the chat settings"
            )
        return client

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def available_choices(self) -> list[ModelChoice]:
        """List every provider's models, the default first; skip servers down."""
        choices = [self.default]
        for provider, client in self.clients.items():
            try:
                names = await asyncio.wait_for(client.list_models(), LIST_TIMEOUT)
            except Exception as exc:
                logger.warning("could not list the models of %s: %s", provider, exc)
                continue
            choices.extend(
                ModelChoice(provider, name)
                for name in names
                if ModelChoice(provider, name) != self.default
            )
        return choices
