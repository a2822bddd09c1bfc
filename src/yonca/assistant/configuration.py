"""The assistant's settings: which model servers to use and how to reach them."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Provider = Literal["ollama", "openai"]


class AssistantSettings(BaseSettings):
    """Read from ``YONCA_*`` environment variables (and ``.env``)."""

    model_config = SettingsConfigDict(
        env_prefix="YONCA_", env_file=".env", extra="ignore"
    )

    # The provider and model a new farmer starts with; each farmer can pick
    # another model from the chat settings.
    model_provider: Provider = "ollama"
    model: str = "qwen3:4b"

    # Ollama's address; unset means the client's own default, which honours
    # OLLAMA_HOST and falls back to http://localhost:11434.
    ollama_url: str | None = None

    # An OpenAI-compatible server (vLLM, llama.cpp, LM Studio, ...), used when
    # its base URL is set, e.g. http://localhost:8080/v1.
    openai_base_url: str | None = None
    openai_api_key: str = Field(default="not-needed", repr=False)

    # Seconds to wait for a model server to answer before telling the farmer.
    model_timeout: float = 300.0


@lru_cache(maxsize=1)
def get_assistant_settings() -> AssistantSettings:
    return AssistantSettings()
