"""What the model is shown: the farm, the language, and the earlier turns."""

from __future__ import annotations

import random

from yonca.assistant.conversation import (
    KIND_KEY,
    MAX_TURNS,
    WELCOME_KIND,
    ChatState,
    Turn,
    turns_from_steps,
)
from yonca.assistant.models import ModelChoice
from yonca.assistant.preferences import Preferences
from yonca.assistant.prompts import build_system_prompt
from yonca.domain.farms import Farm, Parcel
from yonca.domain.personas import FarmContext, Persona

FARM = FarmContext(
    persona=Persona(
        id="p1",
        fin="4F7U713",
        full_name="Aysel Məmmədova",
        region="Lənkəran",
        crops=("citrus", "tomato"),
        experience_years=12,
        language="az",
    ),
    farm=Farm(
        id="f1",
        name="Məmmədov ailə təsərrüfatı",
        region="Lənkəran",
        area_hectares=3.5,
        parcels=(
            Parcel("a", "Sahə 1", "citrus", 2.5, "yellow soil", "drip"),
            Parcel("b", "Sahə 2", "tomato", 1.0, "alluvial", "furrow"),
        ),
    ),
)
MODEL = ModelChoice("ollama", "qwen3:4b")


def step(kind: str, output: str, at: str, **extra: object) -> dict[str, object]:
    return {
        "id": f"{kind}-{at}",
        "type": kind,
        "output": output,
        "createdAt": at,
        **extra,
    }


def test_the_system_prompt_carries_the_farm_and_the_language() -> None:
    prompt = build_system_prompt(FARM, Preferences("ru", MODEL), "fruit")

    assert "Aysel Məmmədova" in prompt
    assert "Lənkəran" in prompt
    assert "Sahə 1: citrus, 2.5 ha, yellow soil soil, drip irrigation" in prompt
    assert "Always answer in Russian." in prompt
    assert "Focus on fruit growing." in prompt


def test_the_system_prompt_gives_areas_in_the_chosen_units() -> None:
    in_sot = build_system_prompt(FARM, Preferences("az", MODEL, units="sot"), "farm")
    in_acres = build_system_prompt(FARM, Preferences("en", MODEL, units="acre"), "farm")

    assert "350.0 sot" in in_sot and "Azerbaijani" in in_sot
    assert "8.6 acres" in in_acres and "Fahrenheit" in in_acres
    assert "Cover the whole farm." in in_sot


def test_turns_come_back_in_order_without_errors_greetings_or_tools() -> None:
    steps = [
        step("assistant_message", "second answer", "2026-01-01T10:00:04Z"),
        step("user_message", "first question", "2026-01-01T10:00:01Z"),
        step(
            "assistant_message",
            "Salam!",
            "2026-01-01T10:00:00Z",
            metadata={KIND_KEY: WELCOME_KIND},
        ),
        step(
            "assistant_message", "Ollama is down", "2026-01-01T10:00:02Z", isError=True
        ),
        step("run", "", "2026-01-01T10:00:01.5Z"),
        step("user_message", "second question", "2026-01-01T10:00:03Z"),
        step("user_message", "the question being answered", "2026-01-01T10:00:05Z"),
    ]

    turns = turns_from_steps(steps, skip_ids=["user_message-2026-01-01T10:00:05Z"])

    assert turns == [
        Turn("user", "first question"),
        Turn("user", "second question"),
        Turn("assistant", "second answer"),
    ]


def test_the_model_sees_the_system_prompt_recent_turns_and_the_question() -> None:
    turns = [Turn(random.choice(["user", "assistant"]), f"turn {n}") for n in range(40)]
    state = ChatState(FARM, Preferences("az", MODEL), "cotton", turns)

    messages = state.model_messages("How much water?")

    assert messages[0]["role"] == "system" and "cotton" in messages[0]["content"]
    assert [m["content"] for m in messages[1:-1]] == [
        f"turn {n}" for n in range(40 - MAX_TURNS, 40)
    ]
    assert messages[-1] == {"role": "user", "content": "How much water?"}
