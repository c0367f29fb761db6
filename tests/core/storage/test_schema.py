"""Schema creation and upgrades, engine settings, and the dedupe key."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, inspect, select, text

from core.settings import REPO_ROOT, get_settings
from core.storage import engine as engine_module
from core.storage.engine import (
    count_rows,
    dispose_engines,
    ensure_schema,
    get_engine,
    schema_version,
)
from core.storage.schema import SCHEMA_VERSION, AppSetting, Base, content_hash
from tests.conftest import BACKENDS, fresh_store

NEXT = SCHEMA_VERSION + 1  # a planted upgrade step, one past the real schema
TABLES = {"products", "reviews", "predictions", "imports", "app_settings"}


def test_schema_created_and_safe_to_run_twice(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= TABLES
    assert ensure_schema(engine) == SCHEMA_VERSION
    assert ensure_schema(engine) == SCHEMA_VERSION
    assert schema_version(engine) == SCHEMA_VERSION
    with engine.connect() as conn:
        assert conn.execute(select(AppSetting.key)).scalars().all() == ["schema_version"]
    assert get_engine(engine.url.render_as_string(hide_password=False)) is engine  # cached per URL
    assert count_rows(engine) == {
        "products": 0,
        "reviews": 0,
        "predictions": 0,
        "imports": 0,
        "site_ratings": 0,
    }


def test_dashboard_indexes_exist(engine: Engine) -> None:
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(engine).get_indexes("reviews")}
    assert indexes["ix_reviews_product_date"][:2] == ["product_id", "review_date"]
    prediction_indexes = {ix["name"]: ix["column_names"] for ix in inspect(engine).get_indexes("predictions")}
    assert prediction_indexes["ix_predictions_latest"][:2] == ["review_id", "is_latest"]
    uniques = {tuple(u["column_names"]) for u in inspect(engine).get_unique_constraints("reviews")}
    assert ("product_id", "content_hash") in uniques


def test_upgrade_steps_run_once(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def add_note_column(conn: Connection) -> None:
        calls.append(NEXT)
        conn.execute(text("ALTER TABLE app_settings ADD COLUMN note VARCHAR(50)"))

    monkeypatch.setattr(engine_module, "SCHEMA_VERSION", NEXT)
    monkeypatch.setitem(engine_module.MIGRATIONS, NEXT, add_note_column)
    assert ensure_schema(engine) == NEXT
    assert ensure_schema(engine) == NEXT
    assert calls == [NEXT]
    assert schema_version(engine) == NEXT
    assert "note" in {column["name"] for column in inspect(engine).get_columns("app_settings")}


def test_database_from_before_versioning_is_upgraded_from_version_1(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine.begin() as conn:
        conn.execute(AppSetting.__table__.delete())
    calls: list[int] = []
    monkeypatch.setitem(engine_module.MIGRATIONS, 2, lambda conn: calls.append(2))  # create_all made pid/host
    monkeypatch.setattr(engine_module, "SCHEMA_VERSION", NEXT)
    monkeypatch.setitem(engine_module.MIGRATIONS, NEXT, lambda conn: calls.append(NEXT))
    ensure_schema(engine)
    # every step from the baseline runs: 2 (run owner), 3 (aspect tables, made by create_all), the planted one
    assert calls == [2, NEXT] and schema_version(engine) == NEXT


@pytest.mark.parametrize("backend", BACKENDS)
def test_schema_created_from_two_threads_at_once(backend: str, tmp_path: Path) -> None:
    with fresh_store(backend, tmp_path) as existing:
        url = existing.url.render_as_string(hide_password=False)
        with existing.begin() as conn:  # start from an empty database again
            Base.metadata.drop_all(conn)
        dispose_engines(url)
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def create() -> None:
            try:
                barrier.wait(timeout=30)
                other = engine_module._create_engine(url)  # separate engines, as two app replicas have
                ensure_schema(other)
                other.dispose()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=create) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors
        assert schema_version(get_engine(url)) == SCHEMA_VERSION


def test_sqlite_pragmas_and_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "fresh" / "nested"
    monkeypatch.setenv("SENTIMENT_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    try:
        engine = get_engine()
        assert Path(engine.url.database) == data_dir / "reviews.sqlite"
        assert (data_dir / "reviews.sqlite").is_file()  # the folder was created on first use
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert (
                conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                == engine_module.SQLITE_BUSY_TIMEOUT_S * 1000
            )
    finally:
        dispose_engines(str(engine.url))
        get_settings.cache_clear()


def test_data_folder_is_not_the_repository_one() -> None:
    repo_data = REPO_ROOT / "data"
    assert get_settings().data_dir != repo_data
    assert not get_settings().database_url.startswith(f"sqlite:///{repo_data}")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("Great  product", None, None), ("great product", None, None), True),
        (("Great product", "Title", "Ann"), ("GREAT PRODUCT ", "title", " ann"), True),
        (("Great product", None, "Ann"), ("Great product", None, "Bob"), False),
        (("Great product", "One", None), ("Great product", "Two", None), False),
        (("Great product", None, None), ("Great product.", None, None), False),
        (("a", "b", None), ("a b", None, None), False),  # fields cannot run into each other
    ],
)
def test_content_hash(
    a: tuple[str, str | None, str | None], b: tuple[str, str | None, str | None], same: bool
) -> None:
    assert (content_hash(*a) == content_hash(*b)) is same
    assert len(content_hash(*a)) == 32


def test_a_version_1_store_gains_the_run_owner_columns(engine: Engine) -> None:
    with engine.begin() as conn:
        for column in ("pid", "host"):
            conn.execute(text(f"ALTER TABLE imports DROP COLUMN {column}"))
        conn.execute(AppSetting.__table__.update().values(value="1"))
    ensure_schema(engine)
    assert {"pid", "host"} <= {column["name"] for column in inspect(engine).get_columns("imports")}
    assert schema_version(engine) == SCHEMA_VERSION
