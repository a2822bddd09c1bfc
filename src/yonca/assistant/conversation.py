"""What the model is shown of a conversation: the farm, then the earlier turns.

Each Chainlit session keeps a ``ChatState``: the farmer's farm context,
preferences, profile and the turns so far. It is a cache of what the database
holds; when it is missing (a reconnect after Chainlit ended the chat, a
resumed thread) it is rebuilt from the thread's stored steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from yonca.assistant.preferences import Preferences
from yonca.assistant.prompts import build_system_prompt
from yonca.domain.personas import FarmContext

# Earlier turns sent with each question. Small local models have short
# context windows; the oldest turns matter least for farm advice.
MAX_TURNS = 24
ROLES = {"user_message": "user", "assistant_message": "assistant"}
# Steps the app writes that are not part of the dialogue (the greeting).
KIND_KEY = "yonca_kind"
WELCOME_KIND = "welcome"


@dataclass(frozen=True)
class Turn:
    role: str
    content: str


@dataclass
class ChatState:
    farm: FarmContext
    preferences: Preferences
    profile: str
    turns: list[Turn] = field(default_factory=list)

    def model_messages(self, question: str) -> list[dict[str, str]]:
        """The system prompt, the recent turns and the new question."""
        system = build_system_prompt(self.farm, self.preferences, self.profile)
        recent = self.turns[-MAX_TURNS:]
        return [
            {"role": "system", "content": system},
            *({"role": turn.role, "content": turn.content} for turn in recent),
            {"role": "user", "content": question},
        ]


class ChatStates:
    """The ``ChatState`` of each live Chainlit session, by session id."""

    def __init__(self) -> None:
        self._states: dict[str, ChatState] = {}

    def get(self, session_id: str) -> ChatState | None:
        return self._states.get(session_id)

    def put(self, session_id: str, state: ChatState) -> None:
        self._states[session_id] = state

    def forget(self, session_id: str) -> None:
        self._states.pop(session_id, None)


def turns_from_steps(
    steps: Iterable[Mapping[str, Any]], *, skip_ids: Iterable[str] = ()
) -> list[Turn]:
    """Rebuild the dialogue from stored steps, oldest first.

    Error notices and the greeting are left out: the model should continue
    the conversation, not repeat "the server is down" or introduce itself.
    """
    skipped = set(skip_ids)
    ordered = sorted(steps, key=lambda step: step.get("createdAt") or "")
    turns = []
    for step in ordered:
        role = ROLES.get(str(step.get("type")))
        metadata = step.get("metadata") or {}
        if (
            role is None
            or step.get("isError")
            or step.get("id") in skipped
            or metadata.get(KIND_KEY) == WELCOME_KIND
        ):
            continue
        content = str(step.get("output") or "").strip()
        if content:
            turns.append(Turn(role, content))
    return turns
