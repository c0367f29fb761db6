"""The Model page's "Adapt to your reviews" section, rendered on its own with AppTest."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.inference.predictor import Predictor
from core.ingestion.mapping import ColumnMapping
from core.ingestion.rows import prepare_rows
from core.ingestion.tables import read_table
from core.settings import get_settings
from core.storage.engine import get_engine
from core.storage.importer import import_rows
from tests.models.adapt.conftest import MEDICATIONS


def _page() -> None:
    from dashboard.adapt_section import render_adapt_section

    render_adapt_section()


@pytest.fixture(scope="module")
def stored_medications() -> list[str]:
    """The medication reviews in the app's own (session-temporary) store; returns their products."""
    engine = get_engine()
    table = read_table(MEDICATIONS, MEDICATIONS.name)
    prepared = prepare_rows(table, ColumnMapping(text="review", rating="stars", product="product"))
    import_rows(engine, prepared.rows, source="csv", source_name=MEDICATIONS.name,
                predictor=Predictor.load(get_settings().model_dir))  # fmt: skip
    return sorted({row.product for row in prepared.rows})


def test_choosing_products_shows_class_counts_and_refuses_too_few(stored_medications):
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert not at.exception
    # other tests may store reviews in the same app store: choose exactly the medication products
    at.multiselect(key="adapt_products").set_value(stored_medications).run()
    # the de-duplicated counts adaptation will use, with the total, before the button is enabled
    assert [m.value for m in at.metric] == ["142", "78", "180", "400"]
    assert "at least 200 in total and 20 in each class" in " ".join(c.value for c in at.caption)
    assert not at.button(key="adapt_start").disabled
    # the mapping is in stars: with negative up to 1 star, the 2-star reviews count as neutral
    at.selectbox(key="adapt_neg_stars").set_value(1).run()
    assert any(c.value == "Neutral: 2–3 stars." for c in at.caption)
    assert int(at.metric[0].value) < 142
    at.selectbox(key="adapt_neg_stars").set_value(2).run()
    at.multiselect(key="adapt_products").set_value(["Calmira"]).run()
    assert not at.exception
    assert any("Not enough rated reviews to adapt fairly" in w.value for w in at.warning)
    assert at.button(key="adapt_start").disabled


def test_versions_table_lists_the_base_model_and_rollback_is_disabled_when_base_is_active():
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert not at.exception
    versions = at.dataframe[-1].value
    assert "base" in set(versions["version"]) or versions["active"].any()
    assert "None" not in versions.astype(str).to_numpy().ravel().tolist()
    assert at.button(key="adapt_rollback").disabled


def test_a_finished_run_shows_the_comparison_and_can_be_activated(tmp_path, medications_version):
    from core.inference import registry
    from models.adapt.job import AdaptJob
    from models.adapt.pipeline import summary

    status = tmp_path / "job.json"
    result = {**summary(medications_version.card), "version_dir": str(medications_version.version_dir)}
    status.write_text(json.dumps({"state": "finished", "progress": 1.0, "stage": "done", "result": result,
                                  "message": medications_version.verdict}))  # fmt: skip
    at = AppTest.from_function(_page, default_timeout=60)
    at.session_state["adapt_job"] = AdaptJob.attach(status)
    at.session_state["adapt_done_seen"] = True
    at.run()
    assert not at.exception
    comparison = at.dataframe[0].value
    assert list(comparison["metric"])[:2] == ["Accuracy", "Macro-F1"]
    assert comparison["adapted"].iloc[1] == medications_version.card["heldout"]["adapted"]["macro_f1"]
    assert at.success[0].value.startswith("Better: on ")  # plain words; the gate's detail is a caption
    assert any("trained on" in i.value for i in at.info)
    try:
        at.button(key="adapt_activate_new").click().run()
        assert not at.exception
        assert registry.active_name() == medications_version.version_dir.name
        at.button(key="adapt_rollback").click().run()
        assert registry.active_name() == registry.BASE
    finally:
        registry.rollback()


def test_rescore_adds_the_active_versions_predictions(stored_medications, medications_version):
    from core.inference import registry
    from core.storage.queries import reviews_frame

    name = medications_version.version_dir.name
    try:
        registry.activate(name)
        at = AppTest.from_function(_page, default_timeout=120).run()
        at.multiselect(key="adapt_rescore_products").set_value(stored_medications).run()
        at.button(key="adapt_rescore").click().run()
        assert not at.exception
        assert any(f"400 reviews re-scored with {name}" in m.value for m in at.success)
        frame = reviews_frame(get_engine(), products=stored_medications, model_version=name)
        assert len(frame["label"].dropna()) == 400
    finally:
        registry.rollback()
