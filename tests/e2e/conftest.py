"""The real assistant, served by ``yonca serve`` on each database."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.e2e.assistant_server import RunningAssistant, free_port, running_assistant
from tests.fakes.model_server import FakeModelServer, fake_model_server

__all__ = ["fake_model_server"]

PASSWORD = "yonca-test-password"
DOWN_SERVER = f"http://127.0.0.1:{free_port()}"


@dataclass(frozen=True)
class Farmer:
    email: str
    password: str = PASSWORD


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def assistant(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    make_database,
    fake_model_server: FakeModelServer,
) -> Iterator[RunningAssistant]:
    """The assistant on the embedded SQLite default, and on a PostgreSQL database.

    The embedded default runs exactly as a first ``yonca serve`` does: it
    migrates its own database and generates its secret. PostgreSQL is given,
    migrated, with a secret, as a deployment would be.
    """
    data_dir = tmp_path_factory.mktemp(f"assistant-{request.param}")
    # A second, OpenAI-compatible model server that is down: farmers who
    # choose one of its models must be told so.
    extra = {"YONCA_OPENAI_BASE_URL": f"{DOWN_SERVER}/v1"}
    if request.param == "postgresql":
        extra["DATABASE_URL"] = make_database("postgresql")
        extra["CHAINLIT_AUTH_SECRET"] = secrets.token_urlsafe(32)
    with running_assistant(data_dir, fake_model_server.url, extra) as running:
        yield running


@pytest.fixture
def make_farmer(assistant: RunningAssistant):
    """Create farmers with ``yonca users add``, as an operator would."""

    def make(name: str = "farmer") -> Farmer:
        farmer = Farmer(f"{name}-{uuid.uuid4().hex[:8]}@example.az")
        assistant.yonca("users", "add", farmer.email, "--password", farmer.password)
        return farmer

    return make
