"""Adapting from stored reviews; activation, re-scoring and rollback keep every version's predictions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.inference import registry
from core.inference.predictor import Predictor
from core.ingestion.mapping import ColumnMapping
from core.ingestion.rating_labels import RatingCutoffs
from core.ingestion.rows import prepare_rows
from core.ingestion.tables import read_table
from core.settings import get_settings
from core.storage.importer import import_rows, rescore
from core.storage.queries import reviews_frame
from core.storage.schema import PredictionRow
from models.adapt.data import read_rated_store
from models.adapt.labels import label_reviews
from tests.models.adapt.conftest import MEDICATIONS

pytestmark = pytest.mark.postgres


def _import_medications(engine, predictor: Predictor) -> int:
    table = read_table(MEDICATIONS, MEDICATIONS.name)
    prepared = prepare_rows(table, ColumnMapping(text="review", rating="stars", product="product"))
    summary = import_rows(
        engine, prepared.rows, source="csv", source_name=MEDICATIONS.name, predictor=predictor
    )
    return summary.stored


def _versions_per_review(engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(PredictionRow.model_version, func.count(PredictionRow.review_id)).group_by(
                PredictionRow.model_version
            )
        ).all()
    return dict(rows)


def test_rated_reviews_are_read_from_the_store_like_the_file(engine, medications):
    base_predictor = Predictor.load(get_settings().model_dir)
    assert _import_medications(engine, base_predictor) == 400
    some = label_reviews(read_rated_store(engine, ["Calmira", "Allerfin"]), RatingCutoffs())
    assert 0 < len(some.texts) < 400
    everything = label_reviews(read_rated_store(engine, None), RatingCutoffs())
    assert everything.counts == medications.counts


def test_activate_rescore_rollback_keep_predictions_of_every_version(engine, medications_version):
    base_predictor = Predictor.load(get_settings().model_dir)
    stored = _import_medications(engine, base_predictor)
    name = medications_version.version_dir.name
    try:
        registry.activate(name)
        assert registry.active_name() == name
        adapted = Predictor.load(registry.resolve_model_dir(None))
        assert adapted.version == name
        assert rescore(engine, [], adapted) == stored
        counts = _versions_per_review(engine)
        assert counts == {base_predictor.version: stored, name: stored}
        latest = reviews_frame(engine)
        assert set(latest["model_version"]) == {name}

        registry.rollback()
        assert registry.active_name() == registry.BASE
        assert rescore(engine, [], base_predictor) == 0  # the base predictions were never deleted
        assert _versions_per_review(engine) == counts
        for version in (base_predictor.version, name):
            frame = reviews_frame(engine, model_version=version)
            assert len(frame) == stored and frame["label"].notna().all()
    finally:
        registry.rollback()
