"""What start-up checks: the database's revision and the signing secret."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from yonca import migrations
from yonca.assistant import startup
from yonca.errors import ConfigurationError, SchemaNotReadyError
from yonca.settings import Settings


@pytest.fixture
def no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(startup.SECRET_VARIABLE, raising=False)


def test_the_embedded_default_keeps_one_generated_secret(
    tmp_path: Path, no_secret: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path)

    first = startup.ensure_auth_secret(settings)
    monkeypatch.delenv(startup.SECRET_VARIABLE)
    second = startup.ensure_auth_secret(settings)

    kept = tmp_path / startup.SECRET_FILE_NAME
    assert first == second == kept.read_text()
    assert len(first) >= 32
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_another_database_requires_the_secret(tmp_path: Path, no_secret: None) -> None:
    settings = Settings(data_dir=tmp_path, database_url="postgresql://db/yonca")

    with pytest.raises(ConfigurationError, match="chainlit create-secret"):
        startup.ensure_auth_secret(settings)
    assert not (tmp_path / startup.SECRET_FILE_NAME).exists()


def test_a_given_secret_is_used_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(startup.SECRET_VARIABLE, "given-secret")
    settings = Settings(data_dir=tmp_path, database_url="postgresql://db/yonca")

    assert startup.ensure_auth_secret(settings) == "given-secret"


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_database_behind_is_refused_with_the_command_to_run(
    make_database, dialect: str
) -> None:
    url = make_database(dialect, migrate=False)
    migrations.upgrade(url, "0001_chainlit_contract")

    with pytest.raises(SchemaNotReadyError, match="yonca db upgrade"):
        startup.prepare_database(url, embedded=False)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_an_up_to_date_database_passes(make_database, dialect: str) -> None:
    startup.prepare_database(make_database(dialect), embedded=False)


def test_the_embedded_default_is_migrated_in_place(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'yonca.db'}"

    startup.prepare_database(url, embedded=True)

    assert migrations.revision_state(url).up_to_date


def test_the_app_root_holds_yoncas_chainlit_settings(tmp_path: Path) -> None:
    root = startup.prepare_app_root(tmp_path)

    config = (root / ".chainlit" / "config.toml").read_text()
    assert 'name = "Yonca"' in config
    assert "auto_tag_thread = false" in config
    assert (root / "chainlit.md").exists()
    assert (root / "public" / "logo_light.svg").exists()
