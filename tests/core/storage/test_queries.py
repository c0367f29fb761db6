"""Every dashboard query on hand-made data (tests/core/storage/seed.py) with exact expected values."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy import Engine

from core.storage.importer import finish_run, start_run
from core.storage.queries import (
    REVIEW_COLUMNS,
    daily_counts,
    list_imports,
    model_versions_in_store,
    product_names,
    product_summary,
    rating_label_crosstab,
    reviews_frame,
    sentiment_over_time,
    store_health,
)
from core.storage.schema import SCHEMA_VERSION
from tests.conftest import BACKENDS, fresh_store
from tests.core.storage.seed import V0_SCORED, V1_SCORED, seed_store


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, dict[str, int]]]:
    """One seeded store per backend for the read-only tests of this module."""
    with fresh_store(request.param, tmp_path_factory.mktemp("seeded")) as store:
        yield store, seed_store(store)


@pytest.fixture
def ids(seeded: tuple[Engine, dict[str, int]]) -> dict[str, int]:
    return seeded[1]


@pytest.fixture
def store(seeded: tuple[Engine, dict[str, int]]) -> Engine:
    return seeded[0]


def keys(frame: pd.DataFrame, ids: dict[str, int]) -> list[str]:
    """Seed keys of a frame's rows, in order."""
    by_id = {review_id: key for key, review_id in ids.items()}
    return [by_id[review_id] for review_id in frame["review_id"]]


def test_product_summary_latest(store: Engine, ids: dict[str, int]) -> None:
    summary = product_summary(store)
    assert list(summary["product"]) == ["Alpha", "Beta", "Ñandú"]
    assert list(summary["reviews"]) == [5, 3, 1]
    assert list(summary["scored"]) == [5, 2, 1]  # "unscorable" does not count towards shares
    assert summary["negative"].tolist() == pytest.approx([0.4, 0.5, 0.0])
    assert summary["neutral"].tolist() == pytest.approx([0.2, 0.0, 1.0])
    assert summary["positive"].tolist() == pytest.approx([0.4, 0.5, 0.0])
    assert summary["avg_rating"].iloc[0] == pytest.approx(0.625)
    assert summary["avg_rating"].iloc[1] == pytest.approx(0.5)
    assert math.isnan(summary["avg_rating"].iloc[2])
    assert summary["first_date"].tolist() == [
        pd.Timestamp("2024-01-01 10:00"), pd.Timestamp("2024-01-03 09:00"), pd.Timestamp("2024-03-15")
    ]  # fmt: skip
    assert summary["last_date"].tolist() == [
        pd.Timestamp("2024-02-01"), pd.Timestamp("2024-01-04"), pd.Timestamp("2024-03-15")
    ]  # fmt: skip


def test_product_summary_of_one_version(store: Engine, ids: dict[str, int]) -> None:
    summary = product_summary(store, model_version="v0").set_index("product")
    assert summary.loc["Alpha", "scored"] == 1
    assert summary.loc["Alpha", "negative"] == 1.0
    assert summary.loc["Beta", "scored"] == 0
    assert math.isnan(summary.loc["Beta", "negative"])
    assert summary.loc["Beta", "reviews"] == 3


def test_reviews_frame_all_columns_and_order(store: Engine, ids: dict[str, int]) -> None:
    frame = reviews_frame(store)
    assert list(frame.columns) == REVIEW_COLUMNS
    # newest review date first, undated last, ties by newest id
    assert keys(frame, ids) == ["C1", "A4", "A3", "B3", "B2", "B1", "A2", "A1", "A5"]
    a1 = frame.set_index("review_id").loc[ids["A1"]]
    assert (a1["label"], a1["model_version"], a1["confidence"]) == ("positive", "v1", 0.9)
    assert a1["positive"] == pytest.approx(0.9) and a1["negative"] == pytest.approx(0.05)
    assert a1["review_date"] == pd.Timestamp("2024-01-01 10:00")
    assert frame["review_date"].dtype.kind == "M"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"products": ["Beta"]}, ["B3", "B2", "B1"]),
        ({"products": ["Alpha", "Ñandú"], "limit": 2}, ["C1", "A4"]),
        ({"products": ["No such product"]}, []),
        ({"start": "2024-01-02", "end": "2024-01-03"}, ["B2", "B1", "A2"]),  # a bare end date: whole day
        ({"start": date(2024, 1, 2), "end": date(2024, 1, 3)}, ["B2", "B1", "A2"]),
        ({"end": datetime(2024, 1, 3, 12)}, ["B1", "A2", "A1"]),  # a datetime end: that instant
        ({"start": datetime(2024, 2, 1)}, ["C1", "A4"]),
        ({"labels": ["negative"]}, ["A4", "B1", "A2"]),
        ({"labels": ["neutral", "unscorable"]}, ["C1", "A3", "B3"]),
        ({"min_rating": 0.5, "max_rating": 0.75}, ["A3", "B2"]),
        ({"min_rating": 0.9}, ["A4", "A1"]),
        ({"search": "battery"}, ["B2", "A2", "A1"]),  # B2 matches on its title
        ({"search": "BATTERY", "products": ["Alpha"]}, ["A2", "A1"]),
        ({"search": "énorme"}, ["B1"]),  # Unicode case folding on SQLite too
        ({"search": "déCEPtion"}, ["B1"]),
        ({"search": "100%"}, ["A5"]),  # % and _ are literal characters
        ({"search": "%"}, ["A5"]),
        ({"search": "y_l"}, []),  # would match "battery life" if _ were a wildcard
        ({"search": "fine_ok"}, ["A5"]),
        ({"labels": ["positive"], "min_rating": 0.8, "search": "great"}, ["A1"]),
    ],
)
def test_reviews_frame_filters(
    store: Engine, ids: dict[str, int], filters: dict[str, object], expected: list[str]
) -> None:
    assert keys(reviews_frame(store, **filters), ids) == expected


def test_reviews_frame_other_model_version(store: Engine, ids: dict[str, int]) -> None:
    frame = reviews_frame(store, model_version="v0")
    assert len(frame) == 9  # every review, labelled only where v0 scored it
    labelled = frame.loc[frame["label"].notna()]
    assert keys(labelled, ids) == ["A1"]
    assert labelled.iloc[0][["label", "model_version", "confidence"]].tolist() == ["negative", "v0", 0.6]
    assert keys(reviews_frame(store, model_version="v0", labels=["negative"]), ids) == ["A1"]


def test_empty_store_queries(engine: Engine) -> None:
    assert product_summary(engine).empty
    assert list(product_summary(engine).columns) == [
        "product", "reviews", "scored", "negative", "neutral", "positive", "avg_rating", "first_date",
        "last_date",
    ]  # fmt: skip
    frame = reviews_frame(engine)
    assert frame.empty and list(frame.columns) == REVIEW_COLUMNS
    assert sentiment_over_time(engine).empty
    assert rating_label_crosstab(engine).empty
    assert list_imports(engine).empty
    assert model_versions_in_store(engine).empty
    assert product_names(engine) == []
    health = store_health(engine)
    assert (health["reviews"], health["last_import"], health["last_scrape"]) == (0, None, None)


def _series(frame: pd.DataFrame, product: str) -> list[tuple[str, str, int, int]]:
    part = frame.loc[frame["product"] == product]
    return [(row.period.strftime("%Y-%m-%d"), row.label, row.count, row.volume) for row in part.itertuples()]


def test_sentiment_over_time_month(store: Engine, ids: dict[str, int]) -> None:
    frame = sentiment_over_time(store, "M")
    assert list(frame.columns) == ["period", "product", "label", "count", "share", "volume"]
    assert _series(frame, "Alpha") == [
        ("2024-01-01", "negative", 1, 3), ("2024-01-01", "neutral", 1, 3), ("2024-01-01", "positive", 1, 3),
        ("2024-02-01", "negative", 1, 1), ("2024-02-01", "neutral", 0, 1), ("2024-02-01", "positive", 0, 1),
    ]  # fmt: skip
    assert _series(frame, "Beta") == [  # the unscorable review is not counted
        ("2024-01-01", "negative", 1, 2), ("2024-01-01", "neutral", 0, 2), ("2024-01-01", "positive", 1, 2),
    ]  # fmt: skip
    assert _series(frame, "Ñandú") == [
        ("2024-03-01", "negative", 0, 1), ("2024-03-01", "neutral", 1, 1), ("2024-03-01", "positive", 0, 1),
    ]  # fmt: skip
    assert frame["share"].tolist() == pytest.approx((frame["count"] / frame["volume"]).tolist())


def test_sentiment_over_time_week_and_day(store: Engine, ids: dict[str, int]) -> None:
    weeks = sentiment_over_time(store, "W", products=["Alpha"])
    assert set(weeks["product"]) == {"Alpha"}
    # weeks start on Monday: 2024-01-01 is one; 2024-02-01 (Thursday) is in the week of 29 January
    assert sorted({p.strftime("%Y-%m-%d") for p in weeks["period"]}) == [
        "2024-01-01",
        "2024-01-08",
        "2024-01-29",
    ]
    first = weeks.loc[weeks["period"] == pd.Timestamp("2024-01-01")].set_index("label")
    assert first["count"].to_dict() == {"negative": 1, "neutral": 0, "positive": 1}
    assert first["share"].to_dict() == {"negative": 0.5, "neutral": 0.0, "positive": 0.5}
    days = sentiment_over_time(store, "day", products=["Beta"])
    assert sorted({p.strftime("%Y-%m-%d") for p in days["period"]}) == ["2024-01-03"]
    assert days["volume"].tolist() == [2, 2, 2]
    assert sentiment_over_time(store, "W", start="2024-01-05", end="2024-01-31")[
        "volume"
    ].unique().tolist() == [1]


@pytest.mark.parametrize("freq", ["D", "W", "M"])
def test_sentiment_over_time_engine_and_frame_agree(store: Engine, ids: dict[str, int], freq: str) -> None:
    from_engine = sentiment_over_time(store, freq)
    from_frame = sentiment_over_time(reviews_frame(store), freq)
    pd.testing.assert_frame_equal(from_engine, from_frame, check_dtype=False)


def test_sentiment_over_time_bad_freq(store: Engine) -> None:
    with pytest.raises(ValueError, match="freq"):
        sentiment_over_time(store, "Q")


def test_rating_label_crosstab(store: Engine, ids: dict[str, int]) -> None:
    table = rating_label_crosstab(reviews_frame(store))
    assert list(table.index) == [1, 2, 3, 4, 5] and table.index.name == "stars"
    assert list(table.columns) == ["negative", "neutral", "positive"]
    assert table.to_dict("index") == {
        1: {"negative": 1, "neutral": 0, "positive": 0},  # A2
        2: {"negative": 1, "neutral": 0, "positive": 0},  # B1
        3: {"negative": 0, "neutral": 1, "positive": 0},  # A3
        4: {"negative": 0, "neutral": 0, "positive": 1},  # B2
        5: {"negative": 1, "neutral": 0, "positive": 1},  # A4, A1
    }
    alpha = rating_label_crosstab(store, products=["Alpha"])
    assert int(alpha.to_numpy().sum()) == 4  # A5 has no rating
    assert rating_label_crosstab(store, products=["Ñandú"]).empty  # no ratings at all


def test_imports_history_and_health(engine: Engine) -> None:
    seed_store(engine)
    upload = start_run(engine, "csv", "reviews.csv")
    finish_run(engine, upload, rows_read=10, stored=7, duplicates=1, rejected={"empty text": 2})
    scrape = start_run(engine, "scrape", "https://shop.example/p/1")
    finish_run(engine, scrape, status="failed", pages=3, errors=["timeout on page 4"], seconds=12.5)
    history = list_imports(engine)
    assert history["import_id"].tolist() == [scrape, upload]
    first, second = history.iloc[0], history.iloc[1]
    assert (first["kind"], first["status"], first["pages"], first["errors"], first["seconds"]) == (
        "scrape", "failed", 3, ["timeout on page 4"], 12.5,
    )  # fmt: skip
    assert (second["rows_read"], second["stored"], second["duplicates"], second["rejected"]) == (10, 7, 1, 2)
    assert second["reject_reasons"] == {"empty text": 2}
    assert second["finished_at"] >= second["started_at"]
    assert isinstance(second["user"], str) and second["user"]
    assert list_imports(engine, kind="csv")["import_id"].tolist() == [upload]
    assert list_imports(engine, limit=1)["import_id"].tolist() == [scrape]

    health = store_health(engine)
    assert health["backend"] == engine.dialect.name
    assert (health["products"], health["reviews"], health["predictions"], health["imports"]) == (3, 9, 10, 2)
    assert health["schema_version"] == SCHEMA_VERSION
    assert health["model_versions"] == ["v0", "v1"]
    assert health["last_import"]["import_id"] == upload and health["last_import"]["status"] == "succeeded"
    assert health["last_scrape"]["import_id"] == scrape and health["last_scrape"]["status"] == "failed"
    assert health["database"].startswith(engine.dialect.name)


def test_model_versions_in_store(store: Engine, ids: dict[str, int]) -> None:
    versions = model_versions_in_store(store)
    assert versions["model_version"].tolist() == ["v1", "v0"]  # most recently scored first
    assert versions["predictions"].tolist() == [9, 1]
    assert versions["latest"].tolist() == [9, 0]
    assert versions["last_scored"].tolist() == [pd.Timestamp(V1_SCORED), pd.Timestamp(V0_SCORED)]


def test_product_names(store: Engine, ids: dict[str, int]) -> None:
    assert product_names(store) == ["Alpha", "Beta", "Ñandú"]


@pytest.mark.parametrize(
    "bounds",
    [
        {"start": datetime(2024, 1, 1, 12)},  # a time of day: counted from the reviews, not the rollup
        {"end": datetime(2024, 1, 3, 12)},
        {"start": "2024-01-02", "end": "2024-01-08"},  # whole days: the rollup
    ],
)
def test_sentiment_over_time_bounds_agree_with_frame(
    store: Engine, ids: dict[str, int], bounds: dict[str, object]
) -> None:
    from_engine = sentiment_over_time(store, "D", **bounds)
    from_frame = sentiment_over_time(reviews_frame(store, **bounds), "D")
    pd.testing.assert_frame_equal(from_engine, from_frame, check_dtype=False)
    assert len(from_engine) > 0


def test_sentiment_over_time_of_one_version(store: Engine, ids: dict[str, int]) -> None:
    frame = sentiment_over_time(store, "M", model_version="v0")
    assert frame[["product", "label", "count"]].values.tolist() == [
        ["Alpha", "negative", 1], ["Alpha", "neutral", 0], ["Alpha", "positive", 0]
    ]  # fmt: skip


def test_daily_counts_feed_the_overview_analytics(store: Engine, ids: dict[str, int]) -> None:
    from core import analytics

    daily = daily_counts(store)
    assert list(daily.columns) == [
        "product", "review_date", "label", "count", "rating_sum", "rating_count", "rating"
    ]  # fmt: skip
    assert daily["count"].sum() == 9
    undated = daily.loc[daily["review_date"].isna()]
    assert undated[["product", "label", "count"]].values.tolist() == [["Alpha", "positive", 1]]
    frame = reviews_frame(store)
    pd.testing.assert_frame_equal(
        analytics.label_shares(daily), analytics.label_shares(frame), check_dtype=False
    )
    pd.testing.assert_frame_equal(
        analytics.trend(daily, freq="W", by_product=True), analytics.trend(frame, freq="W", by_product=True),
        check_dtype=False,
    )  # fmt: skip
    for days in (7, 30, 90):
        assert analytics.kpis(daily, days=days) == analytics.kpis(frame, days=days)
    pd.testing.assert_frame_equal(
        analytics.products_needing_attention(daily, days=60, min_reviews=1),
        analytics.products_needing_attention(frame, days=60, min_reviews=1),
        check_dtype=False,
    )
    assert daily_counts(store, products=["Beta"])["count"].sum() == 3
    january = daily_counts(store, start="2024-01-02", end="2024-01-03")
    assert sorted(january["review_date"].dt.day.tolist()) == [2, 3, 3]
