"""Ownership over the socket and the file links, against the real server.

The HTTP routes are covered beside the app (``tests/e2e``); these add what
a client can try over Socket.IO and with file links: sending messages that
carry another farmer's message ids, favouriting them, presenting a file link
that has expired, and naming a ``url`` or ``path`` for the server to fetch
or read.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.e2e.assistant_server import RunningAssistant
from tests.e2e.chat_client import ChatClient
from tests.e2e.conftest import Farmer, assistant  # noqa: F401
from tests.fakes.model_server import fake_model_server  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SALT = "yonca-files"  # what the storage client signs its links with


async def signed_in(server: RunningAssistant, farmer: Farmer) -> ChatClient:
    client = ChatClient(server.url)
    await client.sign_in(farmer.email, farmer.password)
    await client.connect(profile="cotton")
    await client.wait_for_welcome()
    return client


async def thread_as_seen_by(client: ChatClient, thread_id: str) -> dict[str, Any]:
    response = await client.http.get(f"/project/thread/{thread_id}")
    assert response.status_code == 200, response.text
    thread: dict[str, Any] = response.json()
    # File links are signed afresh on every read.
    thread["elements"] = [{**e, "url": None} for e in thread["elements"]]
    return thread


def new_farmer(server: RunningAssistant, name: str) -> Farmer:
    """A farmer made with ``yonca users add``, as an operator would."""
    farmer = Farmer(f"{name}-{uuid.uuid4().hex[:8]}@example.az")
    server.yonca("users", "add", farmer.email, "--password", farmer.password)
    return farmer


@pytest.fixture(scope="module")
async def owner_and_intruder(
    assistant: RunningAssistant,  # noqa: F811
) -> AsyncIterator[tuple[ChatClient, dict[str, Any], ChatClient]]:
    """One conversation each, shared by this module's tests.

    Every test compares the owner's thread before and after what it tries,
    so they may share it; the conversations cost most of the time here.
    """
    owner = await signed_in(assistant, new_farmer(assistant, "owner"))
    file_id = await owner.upload("soil.pdf", PDF, "application/pdf")
    answer = await owner.ask(f"Is my soil good? {uuid.uuid4()}", (file_id,))
    intruder = await signed_in(assistant, new_farmer(assistant, "intruder"))
    await intruder.ask("Salam")
    yield owner, answer, intruder
    await owner.close()
    await intruder.close()


async def test_messages_carrying_anothers_ids_change_nothing_of_theirs(
    owner_and_intruder: tuple[ChatClient, dict[str, Any], ChatClient],
) -> None:
    owner, answer, intruder = owner_and_intruder
    assert owner.thread_id is not None
    before = await thread_as_seen_by(owner, owner.thread_id)

    for stolen_id in (answer["question_id"], answer["id"]):
        await intruder.socket.emit(
            "client_message",
            {
                "message": {
                    "id": stolen_id,
                    "threadId": owner.thread_id,
                    "name": "User",
                    "type": "user_message",
                    "output": "hijacked text",
                    "createdAt": "2026-01-01T00:00:00Z",
                    "metadata": {},
                },
                "fileReferences": [],
            },
        )
        await intruder.wait_for(
            lambda event, payload: (
                event == "new_message"
                and payload.get("type") == "assistant_message"
                and payload.get("parentId") is not None
                and "yonca_kind" not in (payload.get("metadata") or {})
            )
        )
    await asyncio.sleep(1.0)  # Chainlit's writes land after the reply shows

    assert await thread_as_seen_by(owner, owner.thread_id) == before
    assert intruder.thread_id is not None
    intruders = await thread_as_seen_by(intruder, intruder.thread_id)
    assert "the owner" not in str(intruders)
    assert answer["output"] not in str(intruders)


async def test_favouriting_anothers_message_reaches_nothing_of_theirs(
    owner_and_intruder: tuple[ChatClient, dict[str, Any], ChatClient],
) -> None:
    owner, answer, intruder = owner_and_intruder
    assert owner.thread_id is not None
    before = await thread_as_seen_by(owner, owner.thread_id)
    favourites: list[Any] = []
    intruder.socket.on("set_favorites", favourites.append)

    for favourite in (True, False):
        await intruder.socket.emit(
            "message_favorite",
            {"message": {**answer, "metadata": {"favorite": favourite}}},
        )
    await intruder.socket.emit("fetch_favorites")
    await asyncio.sleep(1.0)

    assert await thread_as_seen_by(owner, owner.thread_id) == before
    leaked = [f for batch in favourites for f in batch if f["id"] == answer["id"]]
    assert leaked == []


def server_secret(server: RunningAssistant) -> str:
    given = server.environment.get("CHAINLIT_AUTH_SECRET")
    if given:
        return given
    # The embedded setup generates its secret once, in the data directory.
    return (server.data_dir / "chainlit-auth-secret").read_text().strip()


def link_signed_at(secret: str, object_key: str, moment: float) -> str:
    class SignerAt(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(moment)

    serializer = URLSafeTimedSerializer(secret, salt=SALT, signer=SignerAt)
    return f"/yonca/files/{serializer.dumps(object_key)}"


async def test_an_expired_file_link_is_refused_to_its_owner(
    assistant: RunningAssistant,  # noqa: F811
    owner_and_intruder: tuple[ChatClient, dict[str, Any], ChatClient],
) -> None:
    owner, _, _ = owner_and_intruder
    assert owner.thread_id is not None
    response = await owner.http.get(f"/project/thread/{owner.thread_id}")
    (element,) = response.json()["elements"]
    secret = server_secret(assistant)
    object_key = URLSafeTimedSerializer(secret, salt=SALT).loads(
        element["url"].rsplit("/", 1)[1]
    )

    fresh = await owner.http.get(link_signed_at(secret, object_key, time.time()))
    expired = await owner.http.get(
        link_signed_at(secret, object_key, time.time() - 2 * 3600)
    )

    # The fresh link, signed the same way, proves the refusal is the expiry.
    assert fresh.status_code == 200 and fresh.content == PDF
    assert expired.status_code == 404
    assert expired.content != PDF


class Listener:
    """A TCP port that records whoever connects to it."""

    def __init__(self) -> None:
        self.visits = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> Listener:
        async def visited(_: asyncio.StreamReader, writer: asyncio.StreamWriter):
            self.visits += 1
            writer.close()

        self.server = await asyncio.start_server(visited, "127.0.0.1", 0)
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/internal-secret.png"

    async def __aexit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


async def test_a_client_named_url_or_path_is_never_fetched_or_read(
    assistant: RunningAssistant,  # noqa: F811
    owner_and_intruder: tuple[ChatClient, dict[str, Any], ChatClient],
    tmp_path: Path,
) -> None:
    owner, answer, _ = owner_and_intruder
    assert owner.thread_id is not None
    secret_file = tmp_path / "server-secret.txt"
    secret_file.write_text("only the server may read this")
    before = await thread_as_seen_by(owner, owner.thread_id)

    async with Listener() as listener:
        element = {
            "id": str(uuid.uuid4()),
            "threadId": owner.thread_id,
            "forId": answer["id"],
            "type": "file",
            "name": "smuggled.txt",
            "display": "inline",
            "url": listener.url,
            "path": str(secret_file),
            "mime": "text/plain",
        }
        responses = [
            await owner.http.put(
                "/project/element",
                json={"sessionId": owner.session_id, "element": element},
            ),
            await owner.http.request(
                "DELETE",
                "/project/element",
                json={"sessionId": owner.session_id, "element": element},
            ),
        ]
        await owner.socket.emit(
            "client_message",
            {
                "message": {
                    "id": str(uuid.uuid4()),
                    "threadId": owner.thread_id,
                    "name": "User",
                    "type": "user_message",
                    "output": "see attached",
                    "createdAt": "2026-01-01T00:00:00Z",
                    "metadata": {},
                },
                "fileReferences": [
                    {"id": str(secret_file), "path": str(secret_file)},
                    {"id": element["id"], "url": listener.url},
                ],
            },
        )
        await asyncio.sleep(2.0)

    assert [r.status_code for r in responses] == [403, 403]
    assert listener.visits == 0
    after = await thread_as_seen_by(owner, owner.thread_id)
    assert after["elements"] == before["elements"]
    stored = [p.read_bytes() for p in assistant.files_dir.rglob("*") if p.is_file()]
    assert not any(b"only the server may read this" in content for content in stored)
