"""Import semantics: exact counts, dedupe, all-or-nothing on a crash, concurrency, re-scoring, deletes."""

from __future__ import annotations

import io
import json
import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, delete, func, select

from core.inference.predictor import Predictor
from core.ingestion.rows import RejectedRow, ReviewRow
from core.logs import get_logger
from core.storage import importer
from core.storage.engine import count_rows
from core.storage.importer import (
    ImportSummary,
    delete_import,
    delete_product,
    finish_run,
    import_file,
    import_rows,
    rescore,
    start_run,
)
from core.storage.queries import list_imports, model_versions_in_store, product_summary, reviews_frame
from core.storage.schema import DailySentiment, ImportRun, PredictionRow, Product, Review
from tests.core.storage.seed import assert_rollup_consistent


class RenamedPredictor:
    """The real predictor under another version name, as a retrained model would be."""

    def __init__(self, inner: Any, version: str) -> None:
        self.inner, self.version, self.featurizer = inner, version, inner.featurizer

    def predict_frame(self, texts: pd.Series, **kwargs: Any) -> pd.DataFrame:
        return self.inner.predict_frame(texts, **kwargs)

    def score_encoded(self, encoded: Any) -> Any:
        return self.inner.score_encoded(encoded)

    proba_from_encoded = Predictor.proba_from_encoded  # batching as the real one, through score_encoded
    predict_proba = Predictor.predict_proba  # aspect sentiment scores clauses through it
    sentence_scores = Predictor.sentence_scores  # ... and takes whole sentences' from it
    _scored = Predictor._scored


class FailingPredictor(RenamedPredictor):
    """Scores `ok_batches` batches with the real model, then raises: a crash in the middle of scoring."""

    def __init__(self, inner: Any, ok_batches: int) -> None:
        super().__init__(inner, inner.version)
        self.calls, self.ok_batches = 0, ok_batches

    def score_encoded(self, encoded: Any) -> Any:
        self.calls += 1
        if self.calls > self.ok_batches:
            raise RuntimeError("model crashed")
        return super().score_encoded(encoded)


def rows_for(product: str, texts: list[str], **fields: Any) -> list[ReviewRow]:
    return [ReviewRow(text=text, product=product, **fields) for text in texts]


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the data tables, in id order (the imports table is checked separately)."""
    tables = [model.__table__ for model in (Product, Review, PredictionRow, DailySentiment)]
    with engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(table.c.id))]
            for table in tables
        }


NEW_ROWS = [
    ReviewRow("Great product, works perfectly", "Kettle", rating=1.0, rating_raw="5", author="Ann"),
    ReviewRow("Broke after two days. Terrible.", "Kettle", rating=0.0, rating_raw="1", author="Bob"),
    ReviewRow("It is fine I guess", "Kettle", review_date=datetime(2024, 3, 1, 12)),
    ReviewRow(
        "great   PRODUCT, works perfectly", "Kettle", author=" ann "
    ),  # same review, other spacing/case
    ReviewRow("Great product, works perfectly", "Kettle", author="Ann"),  # exact repeat within the file
    ReviewRow("Great product, works perfectly", "Kettle", author="Carla"),  # another customer said the same
    ReviewRow("Great product, works perfectly", "Toaster", author="Ann"),  # same words, other product
    ReviewRow("Too loud", "Toaster", title="Noisy", source_url="https://shop.example/t/1"),
    ReviewRow("Too loud", "Toaster", title="Loud"),  # same text, other title
]
REJECTED = [
    RejectedRow(row_number=11, reason="empty text", values={}),
    RejectedRow(row_number=12, reason="empty text", values={}),
    RejectedRow(row_number=13, reason="text has no words", values={}),
]


def test_import_counts_and_reimport(engine: Engine, predictor: Any) -> None:
    summary = import_rows(
        engine, NEW_ROWS, source="csv", source_name="kettles.csv", predictor=predictor, rejected=REJECTED
    )
    assert (summary.rows_read, summary.stored, summary.duplicates) == (12, 7, 2)
    assert summary.rejected == {"empty text": 2, "text has no words": 1}
    assert summary.products == ["Kettle", "Toaster"]
    assert summary.model_version == predictor.version
    assert "stored 7 new reviews" in summary.line() and "empty text: 2" in summary.line()
    assert count_rows(engine) == {
        "products": 2,
        "reviews": 7,
        "predictions": 7,
        "imports": 1,
        "site_ratings": 0,
    }

    frame = reviews_frame(engine)
    assert frame["label"].isin(["negative", "neutral", "positive"]).all()
    assert (frame[["negative", "neutral", "positive"]].sum(axis=1) - 1).abs().max() < 1e-5
    assert (frame["model_version"] == predictor.version).all()
    assert (frame["source"] == "csv").all() and (frame["import_id"] == summary.import_id).all()
    kept = frame.set_index("text").loc["Broke after two days. Terrible."]
    assert (kept["rating"], kept["rating_raw"], kept["author"]) == (0.0, "1", "Bob")
    assert frame.loc[frame["text"] == "It is fine I guess", "review_date"].item() == pd.Timestamp(
        "2024-03-01 12:00"
    )
    assert set(frame.loc[frame["text"] == "Too loud", "title"]) == {"Noisy", "Loud"}

    record = list_imports(engine).iloc[0]
    assert (record["status"], record["stored"], record["duplicates"], record["rejected"]) == (
        "succeeded",
        7,
        2,
        3,
    )
    assert (record["rows_read"], record["kind"], record["source_name"]) == (12, "csv", "kettles.csv")
    assert record["reject_reasons"] == {"empty text": 2, "text has no words": 1}
    assert record["products"] == ["Kettle", "Toaster"] and record["model_version"] == predictor.version

    before = snapshot(engine)
    again = import_rows(engine, NEW_ROWS, source="csv", source_name="kettles.csv", predictor=predictor)
    assert (again.stored, again.duplicates, again.rows_read) == (0, 9, 9)
    assert "nothing new" in again.line()
    assert snapshot(engine) == before
    assert count_rows(engine)["imports"] == 2
    assert_rollup_consistent(engine)


def test_import_file_twice_keeps_one_copy(engine: Engine, predictor: Any) -> None:
    data = (
        "review;product;stars;date\n"
        "Love it, best purchase this year;Mixer;5;2024-01-05\n"
        "Stopped working, very disappointed;Mixer;1;2024-01-06\n"
        ";Mixer;3;2024-01-07\n"
        "Love it, best purchase this year;Mixer;5;2024-01-05\n"
    ).encode("latin-1")
    first = import_file(engine, io.BytesIO(data), "mixer.csv", predictor=predictor)
    assert (first.rows_read, first.stored, first.duplicates, sum(first.rejected.values())) == (4, 2, 1, 1)
    second = import_file(engine, io.BytesIO(data), "mixer.csv", predictor=predictor)
    assert (second.stored, second.duplicates) == (0, 3)
    frame = reviews_frame(engine)
    assert sorted(frame["text"]) == ["Love it, best purchase this year", "Stopped working, very disappointed"]
    assert frame["rating"].tolist() == [0.0, 1.0]  # newest first: 6 January, then 5 January
    assert count_rows(engine)["predictions"] == 2


def test_import_file_that_cannot_be_read_is_recorded_as_failed(engine: Engine, predictor: Any) -> None:
    from core.ingestion.tables import IngestError

    with pytest.raises(IngestError):
        import_file(engine, io.BytesIO(b""), "empty.csv", predictor=predictor)
    record = list_imports(engine).iloc[0]
    assert (record["status"], record["source_name"], record["stored"]) == ("failed", "empty.csv", 0)
    assert record["errors"] and "empty" in record["errors"][0].lower()
    assert count_rows(engine)["reviews"] == 0


def test_rows_without_new_product_and_timezones(engine: Engine, predictor: Any) -> None:
    aware = datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    import_rows(
        engine, [ReviewRow("Nice", "Unassigned", review_date=aware)], source="manual", source_name="typed",
        predictor=predictor,
    )  # fmt: skip
    frame = reviews_frame(engine)
    assert frame["review_date"].item() == pd.Timestamp("2024-05-01 10:00")  # stored as naive UTC
    assert frame["source"].item() == "manual"
    with pytest.raises(ValueError, match="source"):
        import_rows(engine, [], source="email", source_name="x", predictor=predictor)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny scoring and writing batches, so a 30-row import has several of each."""
    monkeypatch.setattr(importer, "SCORE_CHUNK", 7)
    monkeypatch.setattr(importer, "WRITE_CHUNK", 5)


def _thirty(product: str) -> list[ReviewRow]:
    """30 reviews over three months (every third undated), so the daily rollup sees days, weeks, months."""
    return [
        ReviewRow(
            f"Review number {i}: {'good' if i % 2 else 'bad'} blender", product, rating=(i % 5) / 4,
            review_date=None if i % 3 == 0 else datetime(2024, 1, 1, 12) + timedelta(days=3 * i),
        )
        for i in range(30)
    ]  # fmt: skip


def test_crash_while_scoring_leaves_store_unchanged(
    engine: Engine, predictor: Any, small_batches: None
) -> None:
    import_rows(engine, _thirty("Existing"), source="csv", source_name="first.csv", predictor=predictor)
    before = snapshot(engine)
    failing = FailingPredictor(predictor, ok_batches=2)
    with pytest.raises(RuntimeError, match="model crashed"):
        import_rows(
            engine, _thirty("Blender") + _thirty("Existing")[:3], source="csv", source_name="second.csv",
            predictor=failing,
        )  # fmt: skip
    assert failing.calls == 3
    assert snapshot(engine) == before
    record = list_imports(engine).iloc[0]
    assert (record["source_name"], record["status"], record["stored"]) == ("second.csv", "failed", 0)
    assert record["errors"] == ["RuntimeError: model crashed"]
    assert record["finished_at"] is not pd.NaT and record["seconds"] >= 0


def test_crash_while_writing_rolls_back_partial_inserts(
    engine: Engine, predictor: Any, small_batches: None
) -> None:
    import_rows(engine, _thirty("Existing"), source="csv", source_name="first.csv", predictor=predictor)
    before = snapshot(engine)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done > total // 2 + 10:  # two write batches (10 rows) are already inserted
            raise KeyboardInterrupt  # e.g. the user stops the app mid-import

    with pytest.raises(KeyboardInterrupt):
        import_rows(
            engine, _thirty("Blender"), source="csv", source_name="second.csv", predictor=predictor,
            progress=progress,
        )  # fmt: skip
    assert calls[-1] == (45, 60)  # scoring 30 units, then writing; the third write batch raised
    assert snapshot(engine) == before
    assert_rollup_consistent(engine)
    assert "Blender" not in set(product_summary(engine)["product"])
    assert list_imports(engine).iloc[0]["status"] == "cancelled"


def test_progress_reports_every_batch_up_to_total(
    engine: Engine, predictor: Any, small_batches: None
) -> None:
    calls: list[tuple[int, int]] = []
    rows = _thirty("Blender")
    import_rows(
        engine, rows, source="csv", source_name="p.csv", predictor=predictor,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    assert calls == [(7, 60), (14, 60), (21, 60), (28, 60), (30, 60)] + [
        (30 + n, 60) for n in range(5, 31, 5)
    ]


def test_one_log_line_per_import_and_scoring_batch(
    engine: Engine, predictor: Any, small_batches: None
) -> None:
    lines: list[dict[str, Any]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(record.getMessage()))

    logger = get_logger()  # configured first, so our handler is an extra one
    handler = Collect()
    logger.addHandler(handler)
    try:
        import_rows(engine, _thirty("Blender"), source="csv", source_name="log.csv", predictor=predictor)
    finally:
        logger.removeHandler(handler)
    events = [line["event"] for line in lines]
    assert events == ["scoring"] * 5 + ["import"]
    assert [line["rows"] for line in lines[:5]] == [7, 7, 7, 7, 2]
    final = lines[-1]
    assert (final["stored"], final["duplicates"], final["status"], final["rows_read"]) == (
        30,
        0,
        "succeeded",
        30,
    )
    assert {"seconds", "parse", "dedupe", "score", "write", "model_version"} <= set(final)


def _import_in_threads(engine: Engine, predictor: Any, batches: list[list[ReviewRow]]) -> list[ImportSummary]:
    barrier = threading.Barrier(len(batches))
    results: list[ImportSummary | BaseException] = [RuntimeError("not run")] * len(batches)

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = import_rows(
                engine, batches[index], source="csv", source_name=f"thread{index}.csv", predictor=predictor
            )
        except BaseException as exc:  # reported below, in the test's thread
            results[index] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results  # type: ignore[return-value]


def test_two_imports_at_once(engine: Engine, predictor: Any, small_batches: None) -> None:
    shared = _thirty("Shared")
    first = _thirty("Alpha") + shared
    second = _thirty("Beta") + shared[::-1]  # the same reviews, in the other order
    summaries = _import_in_threads(engine, predictor, [first, second])
    assert all(s.rows_read == 60 for s in summaries)
    assert sum(s.stored for s in summaries) == 90  # the shared 30 stored once, by whichever came first
    assert sum(s.duplicates for s in summaries) == 30
    assert count_rows(engine) == {
        "products": 3,
        "reviews": 90,
        "predictions": 90,
        "imports": 2,
        "site_ratings": 0,
    }
    with engine.connect() as conn:
        per_review = conn.execute(
            select(func.count()).select_from(PredictionRow).group_by(PredictionRow.review_id)
        ).scalars()
        assert set(per_review) == {1}
    assert set(list_imports(engine)["status"]) == {"succeeded"}
    assert_rollup_consistent(engine)


def test_rescore_adds_a_version_and_keeps_the_old(engine: Engine, predictor: Any) -> None:
    import_rows(
        engine, _thirty("Blender") + _thirty("Kettle"), source="csv", source_name="a.csv", predictor=predictor
    )
    retrained = RenamedPredictor(predictor, "retrained-2")
    done: list[tuple[int, int]] = []
    assert rescore(engine, ["Blender"], retrained, progress=lambda d, t: done.append((d, t))) == 30
    assert done[-1] == (30, 30)
    assert count_rows(engine)["predictions"] == 90
    versions = model_versions_in_store(engine).set_index("model_version")
    assert versions.loc["retrained-2", "predictions"] == 30 and versions.loc["retrained-2", "latest"] == 30
    assert (
        versions.loc[predictor.version, "predictions"] == 60
        and versions.loc[predictor.version, "latest"] == 30
    )
    latest = reviews_frame(engine)
    assert set(latest.loc[latest["product"] == "Blender", "model_version"]) == {"retrained-2"}
    assert set(latest.loc[latest["product"] == "Kettle", "model_version"]) == {predictor.version}
    old = reviews_frame(engine, model_version=predictor.version)
    assert len(old) == 60 and old["label"].notna().all()  # the old version's predictions are all kept
    assert rescore(engine, ["Blender"], retrained) == 0  # nothing left to score
    assert rescore(engine, [], retrained) == 30  # empty list: every product
    assert count_rows(engine)["predictions"] == 120
    assert_rollup_consistent(engine)


def test_caller_owned_run_accumulates(engine: Engine, predictor: Any) -> None:
    run = start_run(engine, "scrape", "https://shop.example/kettle")
    assert list_imports(engine).iloc[0]["status"] == "running"
    one = import_rows(
        engine, _thirty("Kettle")[:10], source="scrape", source_name="ignored", predictor=predictor,
        import_id=run, rejected=REJECTED[:1],
    )  # fmt: skip
    two = import_rows(
        engine, _thirty("Kettle")[5:15], source="scrape", source_name="ignored", predictor=predictor,
        import_id=run, rejected=REJECTED[2:],
    )  # fmt: skip
    assert one.import_id == two.import_id == run
    assert list_imports(engine).iloc[0]["status"] == "running"  # still open: the caller closes it
    finish_run(engine, run, pages=2, errors=["HTTP 503 on page 3"])
    record = list_imports(engine).iloc[0]
    assert (record["status"], record["pages"], record["errors"]) == ("succeeded", 2, ["HTTP 503 on page 3"])
    assert (record["stored"], record["duplicates"], record["rows_read"], record["rejected"]) == (15, 5, 22, 2)
    assert record["reject_reasons"] == {"empty text": 1, "text has no words": 1}
    assert record["kind"] == "scrape" and record["source_name"] == "https://shop.example/kettle"
    with pytest.raises(TypeError, match="unknown"):
        finish_run(engine, run, colour="blue")


def test_delete_import_and_product(engine: Engine, predictor: Any) -> None:
    first = import_rows(engine, _thirty("Blender"), source="csv", source_name="a.csv", predictor=predictor)
    second = import_rows(
        engine, _thirty("Blender")[:5] + _thirty("Kettle") + rows_for("Blender", ["Extra blender review"]),
        source="csv", source_name="b.csv", predictor=predictor,
    )  # fmt: skip
    assert second.stored == 31
    rescore(engine, [], RenamedPredictor(predictor, "v2"))
    assert delete_import(engine, second.import_id) == 31
    assert count_rows(engine) == {
        "products": 1,
        "reviews": 30,
        "predictions": 60,
        "imports": 1,
        "site_ratings": 0,
    }
    assert list(product_summary(engine)["product"]) == ["Blender"]  # Kettle had no reviews left
    assert_rollup_consistent(engine)
    with pytest.raises(LookupError):
        delete_import(engine, second.import_id)
    assert delete_product(engine, "Blender") == 30
    assert count_rows(engine) == {
        "products": 0,
        "reviews": 0,
        "predictions": 0,
        "imports": 1,
        "site_ratings": 0,
    }
    assert list_imports(engine)["import_id"].tolist() == [first.import_id]  # history stays
    assert_rollup_consistent(engine)
    with pytest.raises(LookupError, match="Blender"):
        delete_product(engine, "Blender")


def test_foreign_keys_cascade_in_the_database(engine: Engine, predictor: Any) -> None:
    import_rows(engine, _thirty("Blender"), source="csv", source_name="a.csv", predictor=predictor)
    with engine.begin() as conn:
        conn.execute(delete(Product).where(Product.name == "Blender"))
    assert count_rows(engine)["reviews"] == 0 and count_rows(engine)["predictions"] == 0
    with engine.connect() as conn:
        assert conn.execute(select(ImportRun.stored)).scalar_one() == 30


def test_summary_line() -> None:
    summary = ImportSummary(
        import_id=1, rows_read=12, stored=7, duplicates=2, rejected={"empty text": 3}, products=["A"],
        model_version="v1", seconds=1.25, warnings={"unparseable date (stored without date)": 1},
    )  # fmt: skip
    assert summary.line() == (
        "Read 12 rows: stored 7 new reviews, skipped 2 duplicates, rejected 3 (empty text: 3); "
        "kept with a missing value: unparseable date (stored without date): 1. Model v1, 1.2 s."
    )


def test_unscorable_text_is_stored_without_probabilities(engine: Engine, predictor: Any) -> None:
    rows = [ReviewRow("   ", "Kettle"), ReviewRow("Works well", "Kettle")]
    import_rows(engine, rows, source="manual", source_name="typed", predictor=predictor)
    frame = reviews_frame(engine).set_index("text")
    assert frame.loc["   ", "label"] == "unscorable"
    assert frame.loc["   ", ["negative", "neutral", "positive", "confidence"]].isna().all()
    assert frame.loc["Works well", "label"] in {"negative", "neutral", "positive"}
    summary = product_summary(engine).iloc[0]
    assert (summary["reviews"], summary["scored"]) == (2, 1)
    assert_rollup_consistent(engine)
