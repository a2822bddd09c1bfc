"""A throwaway PostgreSQL server that the fault tests may stop and restart.

The machine's shared server runs other people's tests, so restarting it, or
making it read-only, is out of the question. This one lives in a temporary
directory, listens on a free port of 127.0.0.1 (TCP, so that a restart drops
real connections) and is removed when the tests are done. PostgreSQL refuses
to run as root, so under root it runs as an ordinary system user.
"""

from __future__ import annotations

import glob
import logging
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

logger = logging.getLogger(__name__)

# Where Debian puts PostgreSQL; pgserver ships the same programs in its wheel.
SYSTEM_BINARIES = "/usr/lib/postgresql/*/bin"
SERVER_USERS = ("postgres", "pgserver")


class PrivatePostgres:
    """One PostgreSQL cluster: ``start``, ``stop``, ``restart`` and its ``url``."""

    def __init__(self) -> None:
        self.binaries = _find_binaries()
        self.account = _server_account()
        self.directory = Path(tempfile.mkdtemp(prefix="yonca-private-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"
        self.port = _free_port()
        if self.account is not None:
            os.chown(self.directory, self.account.pw_uid, self.account.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--auth=trust",
            "--no-sync",
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-k {self.directory} -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; ``immediate`` is a crash without a clean shutdown."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "fast", down_seconds: float = 1.0) -> None:
        """Stop the server, keep it down for a while, then start it again."""
        self.stop(mode)
        time.sleep(down_seconds)
        self.start()

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            logger.info("private PostgreSQL was not running")
        shutil.rmtree(self.directory, ignore_errors=True)

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self.binaries / program), *arguments]
        options: dict[str, object] = {}
        if self.account is not None:
            options = {
                "user": self.account.pw_uid,
                "group": self.account.pw_gid,
                "extra_groups": [],
            }
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=self.directory,
            check=False,
            timeout=120,
            **options,  # type: ignore[arg-type]
        )
        if completed.returncode != 0:
            raise subprocess.CalledProcessError(
                completed.returncode,
                command,
                output=completed.stdout,
                stderr=f"{completed.stderr}\n--- server log ---\n{self.server_log()}",
            )


def _find_binaries() -> Path:
    for candidate in sorted(glob.glob(SYSTEM_BINARIES), reverse=True):
        if (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    import pgserver._commands

    return Path(pgserver._commands.POSTGRES_BIN_PATH)


def _server_account() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in SERVER_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    from pgserver.utils import ensure_user_exists

    return ensure_user_exists("pgserver")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
