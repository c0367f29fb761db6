"""Fixtures for the dashboard tests: a fresh store per test, pages opened through the real router.

`AppTest` (Streamlit 1.67) runs `st.navigation` apps: each page test starts from
`dashboard/app.py`, as `streamlit run` does, and switches to the page under test, so page links,
the sidebar and session state behave as in the browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from streamlit.testing.v1 import AppTest

from core.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from core.predictor import Predictor

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TIMEOUT = 120  # seconds per script run: the first run loads the model


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An empty SQLite store that the app under test uses (via SENTIMENT_DB_URL)."""
    from core.store import dispose_engines, get_engine

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
    from core.importer import import_file

    path = FIXTURES / "reviews_small.csv"
    import_file(store, path.read_bytes(), path.name, predictor=predictor)
    return store


def open_page(page: str, session: dict[str, Any] | None = None) -> AppTest:
    """Run the app, then switch to `pages/<page>.py` (the Overview is the default page)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(elements: Any) -> list[str]:
    """The `.value` of every element in an AppTest element list, as strings."""
    return [str(e.value) for e in elements]
