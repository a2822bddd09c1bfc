"""Settings read from the environment (and a ``.env`` file), in one place."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(user_data_dir("yonca", appauthor=False))


class Settings(BaseSettings):
    """Where Yonca keeps its data and which services it talks to."""

    model_config = SettingsConfigDict(
        env_prefix="YONCA_", env_file=".env", extra="ignore"
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    # DATABASE_URL is the name every hosting platform sets; YONCA_DATABASE_URL
    # wins when both exist so that Yonca can share a machine with other apps.
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("YONCA_DATABASE_URL", "DATABASE_URL"),
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'yonca.db'}"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def uses_embedded_database(self) -> bool:
        return not self.database_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
