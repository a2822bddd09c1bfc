"""A small model server speaking Ollama's and OpenAI's chat protocols.

The assistant's real clients (``ollama.AsyncClient`` and ``openai.AsyncOpenAI``)
talk to it over HTTP exactly as they would to Ollama, vLLM or llama.cpp:

* ``GET /api/tags`` and ``POST /api/chat`` (NDJSON stream, or one JSON object
  with ``"stream": false``), answering 404 for a model it does not have;
* ``GET /v1/models`` and ``POST /v1/chat/completions`` (server-sent events with
  a final usage chunk when ``stream_options.include_usage`` is set).

Answers are deterministic and streamed a word at a time with a short pause,
so a browser shows them growing. Every chat request is recorded, so tests can
read the system prompt and the history the assistant sent.

Run it by hand with ``python -m tests.fakes.model_server --port 11434``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

DEFAULT_MODELS = ("qwen3:4b",)
ANSWER_MARKER = "Yonca-fake"


def answer_for(messages: list[dict[str, Any]]) -> str:
    """The reply to a conversation: names the question and counts the turns.

    Tests find the marker in the page, and the count shows whether earlier
    turns were sent along.
    """
    user_turns = [m for m in messages if m.get("role") == "user"]
    question = str(user_turns[-1].get("content", "")) if user_turns else ""
    question = " ".join(question.split())[:60]
    return (
        f"{ANSWER_MARKER} answer {len(user_turns)}: you asked «{question}». "
        "Water the field early in the morning and check the soil moisture first."
    )


def split_tokens(text: str) -> list[str]:
    words = text.split(" ")
    return [word + " " for word in words[:-1]] + [words[-1]]


class FakeModelServer:
    """The app plus the recorded requests; ``start()`` serves it in a thread."""

    def __init__(
        self,
        models: tuple[str, ...] = DEFAULT_MODELS,
        token_delay: float = 0.05,
    ) -> None:
        self.models = list(models)
        self.token_delay = token_delay
        self.chat_requests: list[dict[str, Any]] = []
        self.url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app = Starlette(
            routes=[
                Route("/api/version", self.version),
                Route("/api/tags", self.tags),
                Route("/api/chat", self.ollama_chat, methods=["POST"]),
                Route("/v1/models", self.openai_models),
                Route("/v1/chat/completions", self.openai_chat, methods=["POST"]),
            ]
        )

    # -- Ollama ---------------------------------------------------------------

    async def version(self, request: Request) -> Response:
        return JSONResponse({"version": "0.12.0"})

    async def tags(self, request: Request) -> Response:
        return JSONResponse(
            {
                "models": [
                    {
                        "name": name,
                        "model": name,
                        "modified_at": _now(),
                        "size": 2_600_000_000,
                        "digest": "0" * 64,
                        "details": {"family": "qwen3", "parameter_size": "4B"},
                    }
                    for name in self.models
                ]
            }
        )

    async def ollama_chat(self, request: Request) -> Response:
        body = await request.json()
        self.chat_requests.append(body)
        model = body.get("model", "")
        if model not in self.models:
            return JSONResponse(
                {"error": f'model "{model}" not found, try pulling it first'},
                status_code=404,
            )

        messages = body.get("messages") or []
        answer = answer_for(messages)
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in messages)
        tokens = split_tokens(answer)
        final = {
            "model": model,
            "created_at": _now(),
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": "stop",
            "total_duration": 1_000_000,
            "load_duration": 1_000,
            "prompt_eval_count": prompt_tokens,
            "prompt_eval_duration": 1_000,
            "eval_count": len(tokens),
            "eval_duration": 1_000,
        }
        if body.get("stream") is False:
            final["message"]["content"] = answer
            return JSONResponse(final)

        async def lines() -> AsyncIterator[bytes]:
            for token in tokens:
                chunk = {
                    "model": model,
                    "created_at": _now(),
                    "message": {"role": "assistant", "content": token},
                    "done": False,
                }
                yield (json.dumps(chunk) + "\n").encode()
                await asyncio.sleep(self.token_delay)
            yield (json.dumps(final) + "\n").encode()

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    # -- OpenAI-compatible ----------------------------------------------------

    async def openai_models(self, request: Request) -> Response:
        return JSONResponse(
            {
                "object": "list",
                "data": [
                    {"id": name, "object": "model", "created": 0, "owned_by": "fake"}
                    for name in self.models
                ],
            }
        )

    async def openai_chat(self, request: Request) -> Response:
        body = await request.json()
        self.chat_requests.append(body)
        model = body.get("model", "")
        if model not in self.models:
            return JSONResponse(
                {
                    "error": {
                        "message": f"The model `{model}` does not exist.",
                        "type": "invalid_request_error",
                        "code": "model_not_found",
                    }
                },
                status_code=404,
            )

        messages = body.get("messages") or []
        tokens = split_tokens(answer_for(messages))
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in messages)
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
            return {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        async def events() -> AsyncIterator[bytes]:
            yield _sse(chunk({"role": "assistant", "content": ""}, None))
            for token in tokens:
                yield _sse(chunk({"content": token}, None))
                await asyncio.sleep(self.token_delay)
            yield _sse(chunk({}, "stop"))
            if include_usage:
                usage = {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": len(tokens),
                    "total_tokens": prompt_tokens + len(tokens),
                }
                yield _sse({**chunk({}, None), "choices": [], "usage": usage})
            yield b"data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    # -- running --------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; return the base URL."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", ws="none"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [listener]},
            name="fake-model-server",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake model server did not start")
            time.sleep(0.01)
        self.url = f"http://{host}:{listener.getsockname()[1]}"
        return self.url

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeModelServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@pytest.fixture(scope="session")
def fake_model_server() -> Iterator[FakeModelServer]:
    """A fake Ollama and OpenAI-compatible server for the whole test session.

    Tests read ``chat_requests`` to see what the assistant sent; they find
    their own requests by the unique text of their questions.
    """
    with FakeModelServer() as server:
        yield server


def _sse(payload: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("--model", action="append", dest="models")
    parser.add_argument("--token-delay", type=float, default=0.05)
    options = parser.parse_args()
    server = FakeModelServer(
        tuple(options.models or DEFAULT_MODELS), token_delay=options.token_delay
    )
    print(f"fake model server on {server.start(options.host, options.port)}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
