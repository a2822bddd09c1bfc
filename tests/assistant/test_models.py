"""The model clients against a server speaking Ollama's and OpenAI's protocols."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from tests.e2e.assistant_server import free_port
from tests.fakes.model_server import ANSWER_MARKER, FakeModelServer
from yonca.assistant.configuration import AssistantSettings
from yonca.assistant.models import (
    ChatChunk,
    ModelCatalog,
    ModelChoice,
    ModelClient,
    ModelMissingError,
    ModelServerUnavailableError,
    OllamaClient,
    OpenAICompatibleClient,
)
from yonca.errors import ConfigurationError

MakeClient = Callable[[str, str], ModelClient]


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """Clients of either kind for a server address, closed after the test."""
    made: list[ModelClient] = []

    def make(kind: str, url: str) -> ModelClient:
        client: ModelClient
        if kind == "ollama":
            client = OllamaClient(url, timeout=30)
        else:
            client = OpenAICompatibleClient(f"{url}/v1", "x", 30)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


async def collect(client: ModelClient, model: str, question: str) -> list[ChatChunk]:
    messages = [
        {"role": "system", "content": "You are Yonca."},
        {"role": "user", "content": question},
    ]
    return [chunk async for chunk in client.stream_chat(model, messages)]


@pytest.mark.parametrize("kind", ["ollama", "openai"])
async def test_an_answer_streams_in_pieces_and_ends_with_usage(
    fake_model_server: FakeModelServer, make_client: MakeClient, kind: str
) -> None:
    client = make_client(kind, fake_model_server.url)
    question = f"irrigation {uuid.uuid4()}"

    chunks = await collect(client, "qwen3:4b", question)

    text = "".join(chunk.text for chunk in chunks)
    assert text.startswith(ANSWER_MARKER) and question in text
    assert len([chunk for chunk in chunks if chunk.text]) > 5
    usage = chunks[-1].usage
    assert usage is not None and usage.prompt_tokens and usage.completion_tokens
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    sent = next(r for r in fake_model_server.chat_requests if question in str(r))
    assert sent["messages"][0] == {"role": "system", "content": "You are Yonca."}


@pytest.mark.parametrize("kind", ["ollama", "openai"])
async def test_a_missing_model_is_reported_as_missing(
    fake_model_server: FakeModelServer, make_client: MakeClient, kind: str
) -> None:
    client = make_client(kind, fake_model_server.url)

    with pytest.raises(ModelMissingError) as raised:
        await collect(client, "llama-not-pulled:1b", "hello")

    assert raised.value.model == "llama-not-pulled:1b"
    assert raised.value.provider == kind


@pytest.mark.parametrize("kind", ["ollama", "openai"])
async def test_a_server_that_is_down_is_reported_as_unavailable(
    make_client: MakeClient, kind: str
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    client = make_client(kind, url)

    with pytest.raises(ModelServerUnavailableError) as raised:
        await collect(client, "qwen3:4b", "hello")

    assert raised.value.url.startswith(url)


async def test_the_catalog_lists_every_server_and_skips_one_that_is_down(
    fake_model_server: FakeModelServer,
) -> None:
    catalog = ModelCatalog(
        AssistantSettings(
            ollama_url=fake_model_server.url,
            openai_base_url=f"http://127.0.0.1:{free_port()}/v1",
        )
    )
    try:
        choices = await catalog.available_choices()
    finally:
        await catalog.aclose()

    assert choices == [ModelChoice("ollama", "qwen3:4b")]


def test_choosing_the_openai_provider_needs_its_address() -> None:
    with pytest.raises(ConfigurationError, match="YONCA_OPENAI_BASE_URL"):
        ModelCatalog(AssistantSettings(model_provider="openai"))


def test_model_keys_name_provider_and_model() -> None:
    choice = ModelChoice.from_key("ollama:qwen3:4b")

    assert choice == ModelChoice("ollama", "qwen3:4b")
    assert choice.key == "ollama:qwen3:4b"
    with pytest.raises(ConfigurationError, match="ollama:qwen3:4b"):
        ModelChoice.from_key("qwen3")
