"""Two farmers on the real server: nothing of one is readable or changeable by
the other, through any of Chainlit's routes or Yonca's file route."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import socketio

from tests.e2e.assistant_server import RunningAssistant
from tests.e2e.chat_client import ChatClient
from tests.e2e.conftest import Farmer

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@dataclass
class Conversation:
    """A farmer's thread with an answer, a PDF element and 👎 feedback."""

    client: ChatClient
    thread_id: str
    answer_id: str
    feedback_id: str
    element: dict[str, Any]
    file_id: str


async def converse(client: ChatClient, farmer: Farmer) -> Conversation:
    await client.sign_in(farmer.email, farmer.password)
    await client.connect(profile="cotton")
    await client.wait_for_welcome()
    file_id = await client.upload("soil-test.pdf", PDF, "application/pdf")
    answer = await client.ask(f"Is my soil good? {uuid.uuid4()}", (file_id,))
    assert client.thread_id is not None

    feedback = await client.http.put(
        "/feedback",
        json={
            "sessionId": client.session_id,
            "feedback": {"forId": answer["id"], "value": 0, "comment": "too vague"},
        },
    )
    assert feedback.status_code == 200, feedback.text
    thread = await read_thread(client, client.thread_id)
    (element,) = thread["elements"]
    return Conversation(
        client,
        client.thread_id,
        answer["id"],
        feedback.json()["feedbackId"],
        element,
        file_id,
    )


async def read_thread(client: ChatClient, thread_id: str) -> dict[str, Any]:
    response = await client.http.get(f"/project/thread/{thread_id}")
    assert response.status_code == 200, response.text
    thread: dict[str, Any] = response.json()
    return thread


def comparable(thread: dict[str, Any]) -> dict[str, Any]:
    # File links are signed afresh on every read; everything else must match.
    return {
        **thread,
        "elements": [{**e, "url": None} for e in thread["elements"]],
    }


@pytest.fixture
async def two_farmers(
    assistant: RunningAssistant, make_farmer: Callable[[str], Farmer]
) -> AsyncIterator[tuple[Conversation, Conversation]]:
    clients = [ChatClient(assistant.url), ChatClient(assistant.url)]
    try:
        owner = await converse(clients[0], make_farmer("owner"))
        intruder = await converse(clients[1], make_farmer("intruder"))
        yield owner, intruder
    finally:
        for client in clients:
            await client.close()


async def test_every_cross_user_request_is_refused(
    assistant: RunningAssistant, two_farmers: tuple[Conversation, Conversation]
) -> None:
    owner, intruder = two_farmers
    http = intruder.client.http
    before = comparable(await read_thread(owner.client, owner.thread_id))
    target = owner.thread_id

    refused: dict[str, httpx.Response] = {
        "read thread": await http.get(f"/project/thread/{target}"),
        "read element": await http.get(
            f"/project/thread/{target}/element/{owner.element['id']}"
        ),
        "read shared view": await http.get(f"/project/share/{target}"),
        "read file": await http.get(owner.element["url"]),
        "read upload": await http.get(
            f"/project/file/{owner.file_id}",
            params={"session_id": owner.client.session_id},
        ),
        "rename": await http.put(
            "/project/thread", json={"threadId": target, "name": "mine now"}
        ),
        "share": await http.put(
            "/project/thread/share", json={"threadId": target, "isShared": True}
        ),
        "delete thread": await http.request(
            "DELETE", "/project/thread", json={"threadId": target}
        ),
        "change feedback": await http.put(
            "/feedback",
            json={
                "sessionId": intruder.client.session_id,
                "feedback": {"forId": owner.answer_id, "value": 1, "comment": "great"},
            },
        ),
        "replace feedback by id": await http.put(
            "/feedback",
            json={
                "sessionId": intruder.client.session_id,
                "feedback": {
                    "forId": intruder.answer_id,
                    "id": owner.feedback_id,
                    "value": 1,
                    "comment": "moved",
                },
            },
        ),
        "delete feedback": await http.request(
            "DELETE", "/feedback", json={"feedbackId": owner.feedback_id}
        ),
        "overwrite element": await http.put(
            "/project/element",
            json={
                "sessionId": intruder.client.session_id,
                "element": {**owner.element, "type": "custom", "props": {}},
            },
        ),
        "delete element": await http.request(
            "DELETE",
            "/project/element",
            json={
                "sessionId": intruder.client.session_id,
                "element": {**owner.element, "type": "custom", "props": {}},
            },
        ),
    }

    for action, response in refused.items():
        assert response.status_code in (401, 403, 404), (action, response.text)
    assert refused["read file"].content != PDF

    # An element id of the owner's, asked for under the intruder's own thread.
    smuggled = await http.get(
        f"/project/thread/{intruder.thread_id}/element/{owner.element['id']}"
    )
    assert smuggled.status_code in (200, 404) and smuggled.json() in (
        None,
        {"detail": "Not Found"},
    )

    listed = await http.post(
        "/project/threads",
        json={"pagination": {"first": 50}, "filter": {"userId": "anyone"}},
    )
    assert owner.thread_id not in {t["id"] for t in listed.json()["data"]}
    assert intruder.thread_id in {t["id"] for t in listed.json()["data"]}

    after = comparable(await read_thread(owner.client, owner.thread_id))
    assert after == before
    (step,) = [s for s in after["steps"] if s["id"] == owner.answer_id]
    assert step["feedback"]["value"] == 0
    assert step["feedback"]["comment"] == "too vague"


async def test_the_intruder_cannot_join_the_owners_thread_over_the_socket(
    assistant: RunningAssistant, two_farmers: tuple[Conversation, Conversation]
) -> None:
    owner, intruder = two_farmers
    spy = ChatClient(assistant.url)
    spy.http.cookies = intruder.client.http.cookies
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await spy.connect(thread_id=owner.thread_id)
    finally:
        await spy.close()


async def test_files_need_a_valid_link_and_a_reader(
    assistant: RunningAssistant, two_farmers: tuple[Conversation, Conversation]
) -> None:
    owner, intruder = two_farmers
    link = owner.element["url"]

    as_owner = await owner.client.http.get(link)
    async with httpx.AsyncClient(base_url=assistant.url) as stranger:
        anonymous = await stranger.get(link)
    forged = await owner.client.http.get(link[:-4] + "AAAA")
    made_up = await owner.client.http.get("/yonca/files/not-a-token")

    assert as_owner.status_code == 200
    assert as_owner.content == PDF
    assert as_owner.headers["x-content-type-options"] == "nosniff"
    assert as_owner.headers["content-type"] == "application/pdf"
    assert anonymous.status_code == 401
    assert forged.status_code == 404
    assert made_up.status_code == 404

    shared = await owner.client.http.put(
        "/project/thread/share", json={"threadId": owner.thread_id, "isShared": True}
    )
    assert shared.status_code == 200
    fresh_link = (await read_thread(owner.client, owner.thread_id))["elements"][0][
        "url"
    ]
    shared_file = await intruder.client.http.get(fresh_link)
    shared_view = await intruder.client.http.get(f"/project/share/{owner.thread_id}")
    still_refused = await intruder.client.http.request(
        "DELETE", "/feedback", json={"feedbackId": owner.feedback_id}
    )

    assert shared_file.status_code == 200 and shared_file.content == PDF
    assert shared_view.status_code == 200
    assert shared_view.json()["id"] == owner.thread_id
    assert still_refused.status_code == 403


async def test_owners_keep_full_control_of_their_feedback(
    two_farmers: tuple[Conversation, Conversation],
) -> None:
    owner, _ = two_farmers
    http = owner.client.http

    changed = await http.put(
        "/feedback",
        json={
            "sessionId": owner.client.session_id,
            "feedback": {
                "forId": owner.answer_id,
                "id": owner.feedback_id,
                "value": 1,
                "comment": "clear now",
            },
        },
    )
    after_change = await read_thread(owner.client, owner.thread_id)
    deleted = await http.request(
        "DELETE", "/feedback", json={"feedbackId": owner.feedback_id}
    )
    after_delete = await read_thread(owner.client, owner.thread_id)

    assert changed.status_code == 200 and deleted.status_code == 200
    (step,) = [s for s in after_change["steps"] if s["id"] == owner.answer_id]
    assert step["feedback"]["value"] == 1 and step["feedback"]["comment"] == "clear now"
    (step,) = [s for s in after_delete["steps"] if s["id"] == owner.answer_id]
    assert not step.get("feedback")


async def test_owners_rename_search_and_delete_their_threads(
    two_farmers: tuple[Conversation, Conversation],
) -> None:
    owner, intruder = two_farmers
    http = owner.client.http
    new_name = f"Gübrə planı {uuid.uuid4().hex[:6]}"

    renamed = await http.put(
        "/project/thread", json={"threadId": owner.thread_id, "name": new_name}
    )
    found = await http.post(
        "/project/threads",
        json={"pagination": {"first": 20}, "filter": {"search": "GÜBRƏ PLAN"}},
    )
    found_by_intruder = await intruder.client.http.post(
        "/project/threads",
        json={"pagination": {"first": 20}, "filter": {"search": new_name}},
    )
    file_before = await http.get(owner.element["url"])
    deleted = await http.request(
        "DELETE", "/project/thread", json={"threadId": owner.thread_id}
    )
    gone = await http.get(f"/project/thread/{owner.thread_id}")
    file_after = await http.get(owner.element["url"])

    assert renamed.status_code == 200
    assert [t["name"] for t in found.json()["data"]] == [new_name]
    assert found_by_intruder.json()["data"] == []
    assert file_before.status_code == 200
    assert deleted.status_code == 200
    assert gone.status_code == 404
    assert file_after.status_code == 404


async def test_files_a_browser_would_run_are_downloaded_not_shown(
    assistant: RunningAssistant, make_farmer: Callable[[str], Farmer]
) -> None:
    farmer = make_farmer("svg")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    client = ChatClient(assistant.url)
    try:
        await client.sign_in(farmer.email, farmer.password)
        await client.connect()
        await client.wait_for_welcome()
        file_id = await client.upload("field-map.svg", svg, "image/svg+xml")
        await client.ask("What does my field map show?", (file_id,))
        assert client.thread_id is not None
        (element,) = (await read_thread(client, client.thread_id))["elements"]
        served = await client.http.get(element["url"])
    finally:
        await client.close()

    assert served.status_code == 200
    assert served.content == svg
    assert served.headers["content-disposition"].startswith("attachment")
    assert served.headers["content-security-policy"] == "sandbox"
    assert served.headers["x-content-type-options"] == "nosniff"
