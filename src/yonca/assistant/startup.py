"""What must hold before the assistant serves anyone, checked at start-up.

Nothing here imports Chainlit: ``yonca serve`` runs it before Chainlit reads
its settings, and the CLI's other commands share the database preparation.

* The embedded SQLite default is migrated in place; any other database must
  already be at the code's revision (``yonca db upgrade``), because migrating a
  shared database is a decision for whoever runs it.
* ``CHAINLIT_AUTH_SECRET`` signs sign-in tokens and file links. For the
  embedded default it is generated once and kept under the data directory;
  with any other database it must be given, so that every server of a
  deployment shares it.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from yonca import migrations
from yonca.errors import ConfigurationError
from yonca.guard.connect import display_url
from yonca.guard.startup import verify_database
from yonca.settings import Settings

logger = logging.getLogger(__name__)

SECRET_VARIABLE = "CHAINLIT_AUTH_SECRET"
SECRET_FILE_NAME = "chainlit-auth-secret"
PACKAGE_DIR = Path(__file__).resolve().parent
APP_MODULE = PACKAGE_DIR / "app.py"
CHAINLIT_CONFIG = Path(".chainlit") / "config.toml"
# What Chainlit reads from its app root: its settings, the readme and assets.
APP_ROOT_FILES = (CHAINLIT_CONFIG, Path("chainlit.md"))


@dataclass(frozen=True)
class Runtime:
    """What the running assistant needs, once start-up checks passed."""

    database_url: str
    files_dir: Path
    auth_secret: str


def prepare(settings: Settings) -> Runtime:
    """Make the database and the secret ready, or raise saying what to do."""
    url = settings.resolved_database_url
    prepare_database(url, embedded=settings.uses_embedded_database)
    secret = ensure_auth_secret(settings)
    return Runtime(url, settings.files_dir, secret)


def prepare_database(url: str, *, embedded: bool) -> None:
    if embedded:
        logger.info("migrating the embedded database %s", display_url(url))
        migrations.upgrade(url)
        return
    # Raises SchemaNotReadyError with the schema guard's report.
    verify_database(url)


def ensure_auth_secret(settings: Settings) -> str:
    """Return the secret Chainlit signs with, putting it in the environment."""
    given = os.environ.get(SECRET_VARIABLE)
    if given:
        return given
    if not settings.uses_embedded_database:
        raise ConfigurationError(
            f"{SECRET_VARIABLE} is not set; with a database of your own, every "
            "server must sign sign-ins and file links with the same secret. Create "
            f"one with 'chainlit create-secret' and set {SECRET_VARIABLE} to it"
        )
    secret = _kept_secret(settings.data_dir / SECRET_FILE_NAME)
    os.environ[SECRET_VARIABLE] = secret
    return secret


def prepare_app_root(data_dir: Path) -> Path:
    """Lay out the directory Chainlit runs in: Yonca's settings and assets.

    Chainlit reads ``.chainlit/config.toml``, ``chainlit.md`` and ``public/``
    from its app root and writes uploads-in-progress there (``.files``), so
    each data directory gets its own copy, refreshed from the package on
    every start.
    """
    root = data_dir / "chainlit"
    for relative in APP_ROOT_FILES:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE_DIR / relative, target)
    shutil.copytree(PACKAGE_DIR / "public", root / "public", dirs_exist_ok=True)
    return root


def check_chainlit_settings(config_file: Path) -> None:
    """Warn when Chainlit runs with settings other than Yonca's.

    That happens under a plain 'chainlit run', which reads (or creates) the
    settings of the working directory: sign-in and persistence still work,
    but thread tags, sharing and upload limits are Chainlit's defaults.
    """
    if config_file.read_bytes() != (PACKAGE_DIR / CHAINLIT_CONFIG).read_bytes():
        logger.warning(
            "Chainlit reads its settings from %s, not Yonca's; start the app with "
            "'yonca serve' (or set CHAINLIT_APP_ROOT to a directory it laid out)",
            config_file,
        )


def _kept_secret(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    draft.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    draft.chmod(0o600)
    try:
        # A hard link appears whole or not at all and never replaces a file:
        # when two servers start at once, both end up with the first secret.
        os.link(draft, path)
        logger.info("generated %s and kept it in %s", SECRET_VARIABLE, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text(encoding="utf-8").strip()
