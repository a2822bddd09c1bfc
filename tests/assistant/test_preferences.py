"""A farmer's chat settings, kept in users.metadata."""

from __future__ import annotations

from yonca.assistant.models import ModelChoice
from yonca.assistant.preferences import (
    METADATA_KEY,
    Preferences,
    settings_widgets,
    stored_preferences,
)

DEFAULT_MODEL = ModelChoice("ollama", "qwen3:4b")


def test_without_stored_settings_the_defaults_apply() -> None:
    preferences = stored_preferences(
        {"provider": "credentials"}, default_model=DEFAULT_MODEL, default_language="ru"
    )

    assert preferences == Preferences("ru", DEFAULT_MODEL, "standard", "hectare")


def test_stored_settings_come_back_and_unusable_values_are_ignored() -> None:
    metadata = {
        METADATA_KEY: {
            "language": "en",
            "model": "openai:llama-3.1-8b",
            "detail": "very long please",
            "units": "sot",
        }
    }

    preferences = stored_preferences(
        metadata, default_model=DEFAULT_MODEL, default_language="az"
    )

    assert preferences.language == "en"
    assert preferences.model == ModelChoice("openai", "llama-3.1-8b")
    assert preferences.detail == "standard"
    assert preferences.units == "sot"


def test_settings_round_trip_through_their_stored_form() -> None:
    chosen = Preferences("az", ModelChoice("ollama", "gemma3:1b"), "brief", "acre")

    again = stored_preferences(
        {METADATA_KEY: chosen.as_settings()},
        default_model=DEFAULT_MODEL,
        default_language="en",
    )

    assert again == chosen


def test_the_widgets_offer_the_current_model_even_when_not_listed() -> None:
    chosen = Preferences("en", ModelChoice("ollama", "gemma3:1b"))

    widgets = {w.id: w for w in settings_widgets(chosen, [DEFAULT_MODEL])}

    assert set(widgets) == {"language", "model", "detail", "units"}
    assert widgets["model"].initial == "ollama:gemma3:1b"
    assert set(widgets["model"].items.values()) == {
        "ollama:qwen3:4b",
        "ollama:gemma3:1b",
    }
    assert widgets["language"].label == "Language"
