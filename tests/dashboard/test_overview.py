"""Overview page: the empty state, one-click demo data, KPI tiles and products needing attention."""

from __future__ import annotations

import pandas as pd

from dashboard.state import Keys
from dashboard.views.overview import SAMPLE_CSV
from tests.dashboard.apptest import open_page, texts


def test_empty_store_offers_three_ways_in(store) -> None:
    at = open_page("overview")
    assert "No reviews yet" in at.info[0].value
    assert at.button(key="load_sample").label == "Load sample data"
    assert any("Demo sample" in c for c in texts(at.caption))
    assert not at.metric  # no tiles without data
    links = [link.proto.page for link in at.page_link]
    assert any(p.endswith("upload") for p in links) and any(p.endswith("analyze") for p in links)


def test_load_sample_data_fills_the_tiles(store, predictor) -> None:
    at = open_page("overview")
    at.button(key="load_sample").click().run()
    assert not at.exception, [e.message for e in at.exception]
    sample_rows = len(pd.read_csv(SAMPLE_CSV))
    metrics = {m.label: m for m in at.metric}
    assert metrics["Reviews"].value == f"{sample_rows:,}"
    assert metrics["Products"].value == "5"
    # shares in the last 30 days, each with a change against the 30 days before
    for label in ("Positive", "Neutral", "Negative"):
        tile = metrics[label]
        assert tile.value.endswith("%")
        assert tile.delta.endswith(" pp")
    assert f"Demo sample loaded: {sample_rows:,} new reviews stored" in at.success[0].value
    # the demo coffee maker gets worse over the period: it must be flagged
    attention = at.dataframe[0].value
    assert "BrewMaster 12-Cup Coffee Maker" in set(attention["product"])
    # agreement of labels with stars, per flagged product, in percent (the sample is fully rated)
    assert attention["agreement"].between(0, 100).all(), attention
    # the distribution sorts by negative share by default, and by name on request
    assert at.get("plotly_chart")
    at.segmented_control(key="overview_sort").set_value("product").run()
    assert not at.exception
    # which model labelled the reviews, said once above the tiles (the shipped one, or "active since"
    # when an earlier test in the session activated and rolled back a version)
    from dashboard.state import active_model

    notes = [c for c in texts(at.caption) if "Labels from" in c]
    assert len(notes) == 1 and active_model().version in notes[0], notes
    # loading it again stores nothing new
    at.button(key="load_sample").click().run()
    assert f"0 new reviews stored, {sample_rows:,} already there" in at.success[0].value


def test_spanish_labels(seeded) -> None:
    at = open_page("overview", {Keys.LANG: "es"})
    assert at.title[0].value == "Resumen"
    labels = [m.label for m in at.metric]
    assert {"Reseñas", "Productos", "Últimos 30 días", "Negativo", "Neutral", "Positivo"} <= set(labels)
