from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.model_server import fake_model_server
from yonca.settings import get_settings

__all__ = ["fake_model_server"]


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Keep every test away from the real data directory and its database."""
    data_dir = tmp_path / "yonca-data"
    monkeypatch.setenv("YONCA_DATA_DIR", str(data_dir))
    for name in ("DATABASE_URL", "YONCA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()
