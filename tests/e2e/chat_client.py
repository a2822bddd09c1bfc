"""A farmer's client speaking to the real assistant as the web app does.

HTTP for sign-in, uploads and the REST routes; Socket.IO for the chat itself,
with the same events and payloads Chainlit's React client sends.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import socketio

ANSWER_SECONDS = 60


class ChatClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30)
        self.socket = socketio.AsyncClient(reconnection=False)
        self.session_id = str(uuid.uuid4())
        self.thread_id: str | None = None
        self.messages: list[dict[str, Any]] = []
        self._events = asyncio.Queue[tuple[str, Any]]()
        for event in ("new_message", "first_interaction", "resume_thread"):
            self.socket.on(event, self._recorder(event))

    def _recorder(self, event: str) -> Any:
        async def record(payload: Any) -> None:
            if event == "first_interaction":
                self.thread_id = payload["thread_id"]
            if event == "new_message":
                self.messages.append(payload)
            await self._events.put((event, payload))

        return record

    async def sign_in(self, email: str, password: str) -> None:
        response = await self.http.post(
            "/login", data={"username": email, "password": password}
        )
        response.raise_for_status()

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())

    async def connect(
        self, *, profile: str | None = None, thread_id: str | None = None
    ) -> None:
        await self.socket.connect(
            self.base_url,
            socketio_path="/ws/socket.io",
            transports=["websocket"],
            headers={"Cookie": self.cookie_header},
            auth={
                "sessionId": self.session_id,
                "clientType": "webapp",
                "userEnv": "{}",
                "chatProfile": profile,
                "threadId": thread_id,
            },
            wait_timeout=30,
        )
        # The web app announces itself once connected; the server starts or
        # resumes the chat only then.
        await self.socket.emit("connection_successful")

    async def wait_for_welcome(self) -> dict[str, Any]:
        """Wait for the greeting a new chat opens with."""
        welcome: dict[str, Any] = await self.wait_for(
            lambda event, payload: (
                event == "new_message"
                and "yonca_kind" in (payload.get("metadata") or {})
            )
        )
        return welcome

    async def upload(self, name: str, content: bytes, mime: str) -> str:
        response = await self.http.post(
            "/project/file",
            params={"session_id": self.session_id},
            files={"file": (name, content, mime)},
        )
        response.raise_for_status()
        return str(response.json()["id"])

    async def ask(self, text: str, file_ids: tuple[str, ...] = ()) -> dict[str, Any]:
        """Send a question and return the assistant's answer as stored."""
        message_id = str(uuid.uuid4())
        await self.socket.emit(
            "client_message",
            {
                "message": {
                    "id": message_id,
                    "threadId": self.thread_id or "",
                    "name": "User",
                    "type": "user_message",
                    "output": text,
                    "createdAt": datetime.now(UTC).isoformat(),
                    "metadata": {},
                },
                "fileReferences": [{"id": file_id} for file_id in file_ids],
            },
        )
        answer = await self.wait_for(
            lambda event, payload: (
                event == "new_message"
                and payload.get("type") == "assistant_message"
                and payload.get("parentId") is not None
                and "yonca_kind" not in (payload.get("metadata") or {})
            )
        )
        stored = await self.wait_until_stored(answer["id"])
        return {"question_id": message_id, **stored}

    async def wait_until_stored(self, step_id: str) -> dict[str, Any]:
        """Return the step once the server has written it.

        Chainlit shows a message before its write reaches the database;
        anything that refers to it (feedback, a reload) must wait for that.
        """
        deadline = asyncio.get_running_loop().time() + ANSWER_SECONDS
        while True:
            response = await self.http.get(f"/project/thread/{self.thread_id}")
            if response.status_code == 200:
                for step in response.json()["steps"]:
                    if step["id"] == step_id and step.get("generation"):
                        return dict(step)
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"step {step_id} was not stored in time")
            await asyncio.sleep(0.2)

    async def wait_for(self, matches: Any, seconds: float = ANSWER_SECONDS) -> Any:
        async def first_match() -> Any:
            while True:
                event, payload = await self._events.get()
                if matches(event, payload):
                    return payload

        return await asyncio.wait_for(first_match(), seconds)

    async def close(self) -> None:
        if self.socket.connected:
            await self.socket.disconnect()
        await self.http.aclose()
