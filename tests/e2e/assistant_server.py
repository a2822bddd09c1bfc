"""The real assistant, started as ``yonca serve`` in a subprocess for tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

STARTUP_SECONDS = 120
# Variables of the developer's shell that would point the server elsewhere.
INHERITED_SETTINGS = (
    "DATABASE_URL",
    "YONCA_DATABASE_URL",
    "CHAINLIT_AUTH_SECRET",
    "CHAINLIT_APP_ROOT",
    "OLLAMA_HOST",
    "YONCA_OPENAI_BASE_URL",
)


@dataclass(frozen=True)
class RunningAssistant:
    url: str
    data_dir: Path
    environment: Mapping[str, str]
    log_path: Path

    def yonca(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """Run another ``yonca`` command against the same data and database."""
        return subprocess.run(
            [*yonca_command(), *arguments],
            env=dict(self.environment),
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    @property
    def database_url(self) -> str:
        given = self.environment.get("DATABASE_URL")
        return given or f"sqlite:///{self.data_dir / 'yonca.db'}"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def yonca_command() -> list[str]:
    script = Path(sys.executable).with_name("yonca")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from yonca.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assistant_environment(
    data_dir: Path, model_url: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in INHERITED_SETTINGS and not key.startswith("OAUTH_")
    }
    environment.update(
        YONCA_DATA_DIR=str(data_dir),
        YONCA_OLLAMA_URL=model_url,
        PYTHONUNBUFFERED="1",
    )
    environment.update(extra or {})
    return environment


@contextmanager
def running_assistant(
    data_dir: Path, model_url: str, extra: Mapping[str, str] | None = None
) -> Iterator[RunningAssistant]:
    """Start ``yonca serve`` on a free port and stop it afterwards."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    environment = assistant_environment(data_dir, model_url, extra)
    log_path = data_dir / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*yonca_command(), "serve", "--port", str(port)],
            env=environment,
            cwd=data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    assistant = RunningAssistant(
        f"http://127.0.0.1:{port}", data_dir, environment, log_path
    )
    try:
        wait_until_healthy(assistant, process)
        yield assistant
    finally:
        stop(process)


def wait_until_healthy(assistant: RunningAssistant, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"yonca serve exited with {process.returncode}:\n{assistant.log()}"
            )
        try:
            if httpx.get(f"{assistant.url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"yonca serve did not answer in time:\n{assistant.log()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")
