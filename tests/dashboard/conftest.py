"""Fixtures for the dashboard tests: a fresh store per test, and one seeded with a small file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from core.settings import get_settings
from tests.dashboard.apptest import FIXTURES

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from core.inference.predictor import Predictor


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An empty SQLite store that the app under test uses (via SENTIMENT_DB_URL)."""
    from core.storage.engine import dispose_engines, get_engine

    url = f"sqlite:///{tmp_path}/dashboard.sqlite"
    monkeypatch.setenv("SENTIMENT_DB_URL", url)
    get_settings.cache_clear()
    try:
        yield get_engine(url)
    finally:
        dispose_engines(url)
        get_settings.cache_clear()


@pytest.fixture
def seeded(store: Engine, predictor: Predictor) -> Engine:
    """The store with `fixtures/reviews_small.csv` imported: Kettle K1 (30 dated, rated reviews)
    and Toaster T2 (12 reviews without dates).
    """
    from core.storage.importer import import_file

    path = FIXTURES / "reviews_small.csv"
    import_file(store, path.read_bytes(), path.name, predictor=predictor)
    return store
