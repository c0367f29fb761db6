"""Imports into one store at once: all succeed (queued on SQLite's write lock), nothing misreported.

The issue: `PRAGMA optimize` after the commit hit "database is locked" and the CLI reported failure for
an import that had committed. Housekeeping after a commit is logged and skipped; the wait for the
write lock is bounded by SENTIMENT_DB_BUSY_TIMEOUT_S and ends with one clear line.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.inference.predictor import Predictor
from core.storage.engine import optimize
from core.storage.importer import import_file
from core.storage.queries import product_summary
from tests.faults.conftest import IngestProcess, counts, url_of, write_reviews

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_three_concurrent_imports_all_succeed(store: Engine, tmp_path: Path) -> None:
    files = [write_reviews(tmp_path / f"part{i}.csv", 2_000, seed=i) for i in range(3)]
    children = [IngestProcess([str(path)], url_of(store)) for path in files]
    results = [child.finish(timeout=120) for child in children]
    for code, out, human in results:
        assert code == 0 and human == "", (out, human)
        assert out.startswith("Read 2,000 rows: stored ")
    stored = sorted(int(out.split("stored ")[1].split(" ")[0].replace(",", "")) for _, out, _ in results)
    assert stored == [2_000, 2_000, 2_000]
    runs, reviews, predictions = counts(store)
    assert [status for _, status in runs] == ["succeeded"] * 3
    assert reviews == predictions == 6_000
    assert int(product_summary(store)["reviews"].sum()) == 6_000  # the rollup agrees
    if store.dialect.name == "sqlite":
        with sqlite3.connect(store.url.database) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def sqlite_only(store: Engine) -> None:
    if store.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock")


def test_housekeeping_on_a_locked_store_is_skipped_not_raised(
    store: Engine, tmp_path: Path, predictor: Predictor
) -> None:
    sqlite_only(store)
    import_file(store, write_reviews(tmp_path / "a.csv", 300), predictor=predictor)
    holder = sqlite3.connect(store.url.database, isolation_level=None)
    holder.execute("DELETE FROM sqlite_stat1")  # statistics are due: PRAGMA optimize will want to write
    holder.execute("BEGIN IMMEDIATE")  # while another import writes
    holder.execute("INSERT INTO app_settings (key, value) VALUES ('x', 'y')")
    try:
        optimize(store)  # must neither raise "database is locked" nor queue for a minute
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_an_import_waits_a_bounded_time_for_the_lock_then_says_so(store: Engine, tmp_path: Path) -> None:
    sqlite_only(store)
    path = write_reviews(tmp_path / "small.csv", 20)
    holder = sqlite3.connect(store.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        child = IngestProcess([str(path)], url_of(store), SENTIMENT_DB_BUSY_TIMEOUT_S="2")
        code, out, human = child.finish(timeout=60)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1 and out == ""
    assert human == (
        "error: The database is busy with another import; waited 2 s for it (SENTIMENT_DB_BUSY_TIMEOUT_S). "
        "Nothing was stored; try again when it finishes."
    )
