"""Shared fixtures: an isolated data folder for the whole run, `engine` and `predictor`.

* Every test run gets its own ``SENTIMENT_DATA_DIR`` (a temporary folder), so no test ever reads
  or writes ``./data``; ``SENTIMENT_DB_URL`` is cleared so the default SQLite file lives there too.
* ``engine`` is a fresh, empty store per test: a SQLite file under ``tmp_path``, and, when
  ``SENTIMENT_TEST_PG_URL`` is set (``.ci/run`` starts a throwaway server), also a PostgreSQL
  database created for the test and dropped after it. Tests using it run once per backend.
* ``predictor`` is the shipped base model (``core.inference.predictor.get_predictor()``), loaded once.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from core.settings import get_settings

if TYPE_CHECKING:
    from core.inference.predictor import Predictor

PG_URL_ENV = "SENTIMENT_TEST_PG_URL"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(PG_URL_ENV) else [])


@pytest.fixture(scope="session", autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point the app's data folder at a temporary one for the whole session."""
    data_dir = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SENTIMENT_DATA_DIR", str(data_dir))
        patch.setenv("SENTIMENT_REGISTRY_DIR", str(data_dir / "model_registry"))
        patch.delenv("SENTIMENT_DB_URL", raising=False)
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


def _postgres_database() -> Iterator[str]:
    """Create a uniquely named database on the test server; yield its URL; drop it afterwards."""
    admin_url = make_url(os.environ[PG_URL_ENV])
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def fresh_store(backend: str, directory: Path) -> Iterator[Engine]:
    """An empty store with its schema: a SQLite file in `directory`, or a new PostgreSQL database."""
    from core.storage.engine import dispose_engines, get_engine

    if backend == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{directory}/store.sqlite"])
    else:
        urls = _postgres_database()
    url = next(urls)
    try:
        yield get_engine(url)
    finally:
        dispose_engines(url)
        next(urls, None)  # drops the PostgreSQL database


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty store per test, on each backend."""
    with fresh_store(request.param, tmp_path) as store:
        yield store


@pytest.fixture(scope="session")
def predictor() -> Predictor:
    """The shipped base model, loaded once per test session."""
    from core.inference.predictor import get_predictor

    return get_predictor()
