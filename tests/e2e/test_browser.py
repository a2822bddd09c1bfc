"""A farmer's whole visit, in headless Chromium against the real assistant.

Sign in, pick a profile, ask and watch the answer stream in, give 👎 with a
comment, send a PDF, reload, reopen the conversation from the sidebar and
continue it; then read the database and check every row the visit left.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import (
    Browser,
    Page,
    Response,
    Route,
    async_playwright,
    expect,
)
from sqlalchemy import select

from tests.e2e.assistant_server import RunningAssistant, chromium_path
from tests.e2e.conftest import Farmer
from tests.fakes.model_server import ANSWER_MARKER, FakeModelServer
from yonca.assistant.profiles import profile_display_name
from yonca.contract import elements, feedbacks, steps, threads, users
from yonca.database import create_engine

pytestmark = pytest.mark.browser

# Generous: CI runs this on two cores beside a database and two servers.
TIMEOUT_MS = 60_000
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(scope="session")
def chromium() -> Iterator[str]:
    path = chromium_path()
    if path is None:
        reason = "no Chromium browser (install Debian's 'chromium' package)"
        if os.environ.get("YONCA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; YONCA_REQUIRE_BROWSER=1 requires one")
        pytest.skip(reason)
    yield path


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


async def local_only(route: Route) -> None:
    # The web app asks for web fonts and KaTeX from CDNs; offline they would
    # only slow the page down, so they fail at once.
    host = route.request.url.split("/")[2]
    if host.startswith(("127.0.0.1", "localhost")):
        await route.continue_()
    else:
        await route.abort()


async def sign_in(page: Page, assistant: RunningAssistant, farmer: Farmer) -> None:
    await page.goto(assistant.url)
    await page.fill("#email", farmer.email)
    await page.fill("#password", farmer.password)
    await page.click("button[type=submit]")
    await expect(page.locator("#chat-profiles")).to_be_visible()
    await expect(page.locator("#chat-input")).to_be_editable()


async def pick_profile(page: Page, name: str) -> None:
    """Choose an expertise area; the new chat greets the farmer again.

    Only a change of profile starts a new chat, and only after the farmer's
    choice is the web app settled: just after sign-in it may connect more
    than once, and a greeting sent on a connection it drops is not shown.
    """
    await page.click("#chat-profiles")
    await page.get_by_role("option", name=name).click()
    await expect(page.locator("#chat-profiles")).to_contain_text(name)
    await expect(page.get_by_text("Mən Yonca")).to_be_visible()


async def ask(page: Page, question: str) -> None:
    """Ask, and check that the answer arrived in pieces before it was whole."""
    await record_partial_answers(page)
    await page.fill("#chat-input", question)
    await expect(page.locator("#chat-submit")).to_be_enabled()
    await page.click("#chat-submit")

    answer = (
        page.locator("[id^=step-]")
        .filter(has_text=ANSWER_MARKER)
        .filter(has_text=question)
        .filter(has_text="soil moisture first.")
    )
    await expect(answer.last).to_be_visible()
    partials = await page.evaluate(
        "question => window.partialAnswers.filter(text => text.includes(question))",
        question,
    )
    assert partials, f"the answer to {question!r} appeared whole, not streamed"


async def record_partial_answers(page: Page) -> None:
    # Every change of the page is seen here, however briefly it lasted, so a
    # streamed answer leaves its unfinished states behind.
    await page.evaluate(
        """marker => {
            window.partialAnswers = [];
            new MutationObserver(() => {
                for (const step of document.querySelectorAll("[id^=step-]")) {
                    const text = step.innerText;
                    if (text.includes(marker) && !text.includes("moisture first")) {
                        window.partialAnswers.push(text);
                    }
                }
            }).observe(
                document.body, {subtree: true, childList: true, characterData: true}
            );
        }""",
        ANSWER_MARKER,
    )


async def test_a_farmer_talks_leaves_feedback_and_comes_back(
    chromium: str,
    assistant: RunningAssistant,
    fake_model_server: FakeModelServer,
    make_farmer: Callable[[str], Farmer],
    browser: Browser,
    tmp_path: Path,
) -> None:
    farmer = make_farmer("browser")
    # A new farmer has no other thread, so this one needs no unique mark.
    first_question = "When should I irrigate my cotton?"
    pdf_question = f"Here is my soil test {uuid.uuid4().hex[:6]}"
    resumed_question = f"And how much water? {uuid.uuid4().hex[:6]}"
    pdf_path = tmp_path / "soil-test.pdf"
    pdf_path.write_bytes(PDF)

    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = await context.new_page()
    await page.route("**/*", local_only)

    await sign_in(page, assistant, farmer)

    # A profile other than the one selected, so that picking it starts a chat.
    selected = await page.locator("#chat-profiles").inner_text()
    profile = "wheat" if profile_display_name("cotton", "en") in selected else "cotton"
    await pick_profile(page, profile_display_name(profile, "en"))

    await ask(page, first_question)
    await save_screenshot(page, tmp_path)

    await page.locator(".negative-feedback-off").last.click()
    await page.get_by_placeholder("Your feedback...").fill("Too general for Sabirabad")
    await page.click("#submit-feedback")
    await expect(page.locator(".negative-feedback-on")).to_have_count(1)

    await page.set_input_files("#upload-button-input", str(pdf_path))
    await expect(page.get_by_text("soil-test.pdf")).to_be_visible()
    await ask(page, pdf_question)

    await page.reload()
    await page.goto(assistant.url)
    await expect(page.locator("#thread-history")).to_contain_text(first_question)
    # Reopening the thread shows the PDF again, which the page fetches from a
    # fresh signed link.
    async with page.expect_response(is_file_link) as served:
        await page.locator("#thread-history").get_by_text(first_question).click()
    assert (await served.value).status == 200
    assert await (await served.value).body() == PDF
    await expect(page).to_have_url(re.compile(r"/thread/[0-9a-f-]{36}$"))
    await expect(page.get_by_text(pdf_question, exact=True)).to_be_visible()
    await expect(page.locator(".negative-feedback-on")).to_have_count(1)
    await expect(page.get_by_text("soil-test.pdf").first).to_be_visible()

    await ask(page, resumed_question)
    thread_id = page.url.rstrip("/").split("/")[-1]
    await context.close()

    resumed_request = next(
        r for r in fake_model_server.chat_requests if resumed_question in str(r)
    )
    assert_history_was_resent(resumed_request, profile, first_question, pdf_question)
    await assert_rows(assistant, farmer, profile, thread_id, pdf_question)


def is_file_link(response: Response) -> bool:
    return "/yonca/files/" in response.url and response.request.method == "GET"


def assert_history_was_resent(
    request: dict[str, Any], profile: str, first_question: str, pdf_question: str
) -> None:
    roles = [message["role"] for message in request["messages"]]
    contents = [str(message["content"]) for message in request["messages"]]
    assert roles[0] == "system"
    assert f"Focus on {profile_display_name(profile, 'en').lower()}" in contents[0]
    assert contents[1] == first_question
    assert contents[2].startswith(ANSWER_MARKER)
    assert contents[3] == pdf_question
    assert roles[1:5] == ["user", "assistant", "user", "assistant"]


async def assert_rows(
    assistant: RunningAssistant,
    farmer: Farmer,
    profile: str,
    thread_id: str,
    pdf_question: str,
) -> None:
    engine = create_engine(assistant.database_url)
    try:
        async with engine.connect() as connection:
            user = (
                await connection.execute(
                    select(users).where(users.c.identifier == farmer.email)
                )
            ).one()
            thread = (
                await connection.execute(
                    select(threads).where(threads.c.id == thread_id)
                )
            ).one()
            step_rows = (
                await connection.execute(
                    select(steps)
                    .where(steps.c.threadId == thread_id)
                    .order_by(steps.c.createdAt)
                )
            ).all()
            feedback_rows = (
                await connection.execute(
                    select(feedbacks).where(feedbacks.c.threadId == thread_id)
                )
            ).all()
            element_rows = (
                await connection.execute(
                    select(elements).where(elements.c.threadId == thread_id)
                )
            ).all()
    finally:
        await engine.dispose()

    assert thread.userId == user.id and thread.userIdentifier == farmer.email
    metadata = json.loads(thread.metadata)
    assert metadata["expertise_areas"] == [profile]
    assert metadata["language"] == "az"
    assert metadata["active_model"] == {"provider": "ollama", "model": "qwen3:4b"}
    assert metadata["farm_id"] and metadata["alem_persona_fin"]
    tags = json.loads(thread.tags)
    assert f"profile:{profile}" in tags
    assert any(tag.startswith("region:") for tag in tags)

    answers = [
        row
        for row in step_rows
        if row.type == "assistant_message"
        and (row.output or "").startswith(ANSWER_MARKER)
    ]
    assert len(answers) == 3
    for row in answers:
        assert not row.isError
        generation = json.loads(row.generation)
        assert generation["provider"] == "ollama"
        assert generation["model"] == "qwen3:4b"
        assert generation["promptTokens"] > 0 and generation["completionTokens"] > 0
        assert generation["tokenCount"] == (
            generation["promptTokens"] + generation["completionTokens"]
        )
        assert generation["latencyMs"] >= 0
    questions = [row.output for row in step_rows if row.type == "user_message"]
    assert len(questions) == 3 and pdf_question in questions

    (feedback,) = feedback_rows
    assert feedback.value == -1
    assert feedback.comment == "Too general for Sabirabad"
    # Chainlit's web app rates the run that produced an answer, not the text.
    assert feedback.forId == answers[0].parentId

    (element,) = element_rows
    assert element.name == "soil-test.pdf"
    assert element.mime == "application/pdf"
    pdf_step = next(row for row in step_rows if row.output == pdf_question)
    assert element.forId == pdf_step.id
    assert element.objectKey.startswith(f"{thread_id}/{element.id}/")
    assert (assistant.files_dir / element.objectKey).read_bytes() == PDF


async def save_screenshot(page: Page, tmp_path: Path) -> None:
    """Keep the signed-in chat; YONCA_SCREENSHOT_DIR=docs refreshes the README's."""
    directory = Path(os.environ.get("YONCA_SCREENSHOT_DIR") or tmp_path)
    # From the greeting down: it shows the farm the assistant knows about.
    await page.evaluate("document.querySelector('[id^=step-]').scrollIntoView()")
    await page.screenshot(path=str(directory / "screenshot-chat.png"))
