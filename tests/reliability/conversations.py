"""Farmers talking to the assistant, through Chainlit's own objects.

Each ``Conversation`` runs in its own task with its own Chainlit context, as
a websocket session does, and makes the calls Chainlit makes on a real
exchange: the user's message is sent, the thread is named and given to its
user on the first one, an answer is sent empty, streamed and updated with its
final text, a tool step opens and closes around a lookup, an image goes with
some answers, the farmer votes on some answers (and changes their mind), and
the session's state is persisted when it ends. Chainlit starts all of these
writes as fire-and-forget tasks, exactly as it does in production.

The conversation writes down what the farmer saw, so that a test can compare
the database with it afterwards.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

import chainlit as cl
from chainlit.context import init_http_context
from chainlit.types import Feedback
from chainlit.user import PersistedUser

from tests.reliability.recording import RecordingDataLayer

PROFILES = ("cotton", "wheat", "vegetables", "fruit")
QUESTIONS = (
    "Pambığı nə vaxt suvarım?",
    "When should I sow winter wheat in Lənkəran?",
    "Как бороться с тлёй на томатах?",
    "Torpağın pH-ı 7.8-dir, nə edim?",
)


@dataclass
class ExpectedStep:
    step_id: str
    output: str
    type: str
    parent_id: str | None = None


@dataclass
class Conversation:
    """One farmer's session: what was sent, and what must be stored."""

    user: PersistedUser
    thread_id: str
    exchanges: int
    profile: str = "cotton"
    steps: dict[str, ExpectedStep] = field(default_factory=dict)
    feedback: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    images: dict[str, bytes] = field(default_factory=dict)
    name: str | None = None
    session_metadata: dict[str, Any] = field(default_factory=dict)
    background: list[asyncio.Task[None]] = field(default_factory=list)

    async def run(self, layer: RecordingDataLayer) -> None:
        """Play every exchange, then leave as a closing browser tab does.

        A farmer reads the answer before typing the next question; reading
        takes as long as the answer's writes take to land. Waiting for them
        keeps each session's backlog at one exchange, so a slow database
        slows the farmers down instead of queueing writes without end, while
        the writes inside an exchange still race each other.
        """
        init_http_context(thread_id=self.thread_id, user=self.user)
        for number in range(self.exchanges):
            before = set(self.steps) | set(self.images)
            await self.exchange(layer, number)
            touched = (set(self.steps) | set(self.images)) - before
            touched.add(self.thread_id)
            await asyncio.gather(*(layer.settle(key) for key in touched))
            await asyncio.sleep(random.uniform(0, 0.005))
        await self.disconnect(layer)

    async def exchange(self, layer: RecordingDataLayer, number: int) -> None:
        question = f"{QUESTIONS[number % len(QUESTIONS)]} (#{number})"
        asked = cl.Message(content=question, author=self.user.identifier)
        asked.type = "user_message"
        await asked.send()
        self._expect(asked.id, question, "user_message")

        if number == 0:
            await self.first_interaction(layer, question)

        if number % 3 == 1:
            await self.tool_call(asked.id, number)

        answer = cl.Message(content="", author="Yonca")
        await answer.send()
        for token in _answer_tokens(self.thread_id, number):
            await answer.stream_token(token)
        await answer.update()
        self._expect(answer.id, answer.content, "assistant_message")

        if number % 5 == 2:
            await self.attach_image(answer.id, number)
        if number % 4 == 3:
            await self.vote(layer, answer.id, number)
        if number % 10 == 9:
            await self.open_sidebar(layer)

    async def first_interaction(self, layer: RecordingDataLayer, question: str) -> None:
        # What ChainlitEmitter.init_thread does on the first message.
        self.name = question
        # Chainlit starts this as a task of its own and never awaits it.
        self.background.append(
            asyncio.create_task(
                layer.update_thread(
                    thread_id=self.thread_id,
                    name=question,
                    user_id=self.user.id,
                    tags=[self.profile],
                )
            )
        )

    async def tool_call(self, parent_id: str, number: int) -> None:
        async with cl.Step(
            name="weather_lookup", type="tool", parent_id=parent_id
        ) as step:
            step.input = f'{{"parcel": "P-{number}"}}'
            await asyncio.sleep(0)
            step.output = f"rain: {number % 7} mm, 24 °C"
        self._expect(step.id, step.output, "tool", parent_id)

    async def attach_image(self, for_id: str, number: int) -> None:
        content = hashlib.sha256(f"{self.thread_id}/{number}".encode()).digest() * 8
        image = cl.Image(
            content=b"\x89PNG\r\n\x1a\n" + content,
            name=f"field-{number}.png",
            display="inline",
            mime="image/png",
        )
        # Chainlit would also copy the bytes into its session folder; a key
        # of its own keeps that copy out of the working directory.
        image.chainlit_key = image.id
        await image.send(for_id=for_id)
        self.images[image.id] = b"\x89PNG\r\n\x1a\n" + content

    async def vote(self, layer: RecordingDataLayer, step_id: str, number: int) -> None:
        # The 👍/👎 buttons call PUT /feedback once the answer is on screen,
        # which is after the answer's writes; so wait for them, as time does.
        await layer.settle(step_id)
        first = Feedback(forId=step_id, value=1, comment=None)
        await layer.upsert_feedback(first)
        if number % 8 == 7:
            changed = Feedback(forId=step_id, value=0, comment="yanlışdır")
            await layer.upsert_feedback(changed)
            self.feedback[step_id] = (0, "yanlışdır")
        else:
            self.feedback[step_id] = (1, None)

    async def open_sidebar(self, layer: RecordingDataLayer) -> None:
        page = await layer.list_threads(
            cl.types.Pagination(first=20),
            cl.types.ThreadFilter(userId=self.user.id),
        )
        assert all(t["userId"] == self.user.id for t in page.data)

    async def disconnect(self, layer: RecordingDataLayer) -> None:
        # What socket.disconnect persists: the session's state as metadata.
        self.session_metadata = {
            "id": self.thread_id,
            "chat_profile": self.profile,
            "chat_settings": {"language": "az", "detail": "short"},
            "env": {},
        }
        await layer.update_thread(
            thread_id=self.thread_id, metadata=self.session_metadata
        )

    def _expect(
        self, step_id: str, output: str, type_: str, parent_id: str | None = None
    ) -> None:
        self.steps[step_id] = ExpectedStep(step_id, output, type_, parent_id)


def _answer_tokens(thread_id: str, number: int) -> list[str]:
    words = f"Cavab {number} for {thread_id[:8]}: suvarmanı səhər tezdən edin.".split()
    return [word + " " for word in words]


async def differences(
    layer: RecordingDataLayer, conversation: Conversation
) -> list[str]:
    """Everything the database holds differently from what the farmer saw."""
    found: list[str] = []
    thread = await layer.get_thread(conversation.thread_id)
    if thread is None:
        return [f"thread {conversation.thread_id} is missing"]
    where = f"thread {conversation.thread_id}"

    expected_owner = (conversation.user.id, conversation.user.identifier)
    if (thread["userId"], thread["userIdentifier"]) != expected_owner:
        found.append(f"{where} belongs to {thread['userIdentifier']!r}")
    if thread["name"] != conversation.name:
        found.append(f"{where} is named {thread['name']!r}")
    if thread["tags"] != [conversation.profile]:
        found.append(f"{where} has tags {thread['tags']!r}")
    for key, value in conversation.session_metadata.items():
        if thread["metadata"].get(key) != value:
            found.append(
                f"{where} metadata[{key!r}] is {thread['metadata'].get(key)!r}"
            )

    stored_ids = [step["id"] for step in thread["steps"]]
    for step_id in {i for i in stored_ids if stored_ids.count(i) > 1}:
        found.append(
            f"{where}: step {step_id} is stored {stored_ids.count(step_id)} times"
        )
    missing = set(conversation.steps) - set(stored_ids)
    extra = set(stored_ids) - set(conversation.steps)
    found.extend(f"{where}: step {step_id} is missing" for step_id in sorted(missing))
    found.extend(f"{where}: step {step_id} was never sent" for step_id in sorted(extra))

    for step in thread["steps"]:
        expected = conversation.steps.get(step["id"])
        if expected is None:
            continue
        if step["output"] != expected.output:
            found.append(
                f"{where}: step {step['id']} ({expected.type}) holds "
                f"{step['output']!r} instead of {expected.output!r}"
            )
        if (step["type"], step["parentId"]) != (expected.type, expected.parent_id):
            found.append(f"{where}: step {step['id']} has type/parent {step['type']}")
        vote = step.get("feedback")
        wanted = conversation.feedback.get(step["id"])
        got = (vote["value"], vote.get("comment")) if vote else None
        if got != wanted:
            found.append(f"{where}: step {step['id']} has feedback {got}, not {wanted}")

    elements = {element["id"]: element for element in thread["elements"] or []}
    if set(elements) != set(conversation.images):
        found.append(
            f"{where}: elements {sorted(elements)} instead of "
            f"{sorted(conversation.images)}"
        )
    for element_id, content in conversation.images.items():
        element = elements.get(element_id)
        if element is None:
            continue
        signed = layer.storage_provider.open_token(element["url"].rsplit("/", 1)[1])
        if signed.path.read_bytes() != content:
            found.append(f"{where}: element {element_id} holds other bytes")
    return found
