"""A farmer's chat settings: language, model, detail of answers and units.

They live in ``users.metadata["chat_settings"]`` so that they follow the
farmer to every new conversation, and are shown as Chainlit chat settings
whose widget ids are the keys stored.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from chainlit.input_widget import InputWidget, Select

from yonca.assistant.models import ModelChoice
from yonca.assistant.texts import LANGUAGE_NAMES, text
from yonca.errors import ConfigurationError

logger = logging.getLogger(__name__)

METADATA_KEY = "chat_settings"
DETAIL_LEVELS = ("brief", "standard", "detailed")
UNITS = ("hectare", "sot", "acre")


@dataclass(frozen=True)
class Preferences:
    language: str
    model: ModelChoice
    detail: str = "standard"
    units: str = "hectare"

    def as_settings(self) -> dict[str, str]:
        """The form Chainlit's settings and ``users.metadata`` hold."""
        return {
            "language": self.language,
            "model": self.model.key,
            "detail": self.detail,
            "units": self.units,
        }

    def updated(self, settings: Mapping[str, Any]) -> Preferences:
        """Apply the values a farmer chose, ignoring any the app cannot use."""
        changes: dict[str, Any] = {}
        if settings.get("language") in LANGUAGE_NAMES:
            changes["language"] = settings["language"]
        if settings.get("detail") in DETAIL_LEVELS:
            changes["detail"] = settings["detail"]
        if settings.get("units") in UNITS:
            changes["units"] = settings["units"]
        if isinstance(settings.get("model"), str):
            try:
                changes["model"] = ModelChoice.from_key(settings["model"])
            except ConfigurationError as exc:
                logger.warning("ignored a model setting: %s", exc)
        return replace(self, **changes)


def stored_preferences(
    user_metadata: Mapping[str, Any] | None,
    *,
    default_model: ModelChoice,
    default_language: str,
) -> Preferences:
    """Read the preferences kept in a user's metadata, defaults for the rest."""
    defaults = Preferences(language=default_language, model=default_model)
    stored = (user_metadata or {}).get(METADATA_KEY)
    if not isinstance(stored, Mapping):
        return defaults
    return defaults.updated(stored)


def settings_widgets(
    preferences: Preferences, models: Sequence[ModelChoice]
) -> list[InputWidget]:
    language = preferences.language
    model_items = {
        f"{choice.model} ({choice.provider})": choice.key for choice in models
    }
    if preferences.model.key not in model_items.values():
        model_items[f"{preferences.model.model} ({preferences.model.provider})"] = (
            preferences.model.key
        )
    return [
        Select(
            id="language",
            label=text("settings.language", language),
            items={name: code for code, name in LANGUAGE_NAMES.items()},
            initial_value=preferences.language,
        ),
        Select(
            id="model",
            label=text("settings.model", language),
            items=model_items,
            initial_value=preferences.model.key,
        ),
        Select(
            id="detail",
            label=text("settings.detail", language),
            items={text(f"detail.{level}", language): level for level in DETAIL_LEVELS},
            initial_value=preferences.detail,
        ),
        Select(
            id="units",
            label=text("settings.units", language),
            items={text(f"units.{unit}", language): unit for unit in UNITS},
            initial_value=preferences.units,
        ),
    ]
