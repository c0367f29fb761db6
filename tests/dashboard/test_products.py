"""Products page: empty states, comparison, filters, drivers and the review table."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.product_data import MIN_RATED
from dashboard.state import Keys
from tests.dashboard.apptest import FIXTURES, open_page, texts


def charts_on(at) -> list:
    return at.get("plotly_chart")


def review_table(at):
    """The main review table (the last dataframe on the page)."""
    return at.dataframe[-1].value


def test_no_data_yet(store) -> None:
    at = open_page("products")
    assert "No reviews stored yet" in at.info[0].value
    assert not charts_on(at)


def test_one_product_every_chart_and_the_table(seeded) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Kettle K1"]})
    assert at.multiselect(key="products_select").value == ["Kettle K1"]
    # distribution, trend, rating heatmap, drivers, confidence
    assert len(charts_on(at)) == 5
    assert texts(at.subheader) == [
        "Trend",
        "Ratings vs sentiment",
        "Aspects",
        "Drivers",
        "Confidence",
        "Reviews",
    ]
    table = review_table(at)
    assert len(table) == 30 and set(table["product"]) == {"Kettle K1"}
    # labels are pills: one-item lists of the raw label, shown with their display name
    assert set(table["label"].str[0]) <= {"negative", "neutral", "positive"}
    assert any("Showing 30 of 30 reviews" in c for c in texts(at.caption))
    assert {"Download CSV", "Download Excel"} <= {b.label for b in at.get("download_button")}


def test_compare_side_by_side_and_undated_product(seeded) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Kettle K1", "Toaster T2"]})
    assert len(review_table(at)) == 42
    # the toaster has no dates: its trend is replaced by an explanation, the kettle's is drawn
    assert any("Toaster T2: no dated reviews" in i for i in texts(at.info))
    assert any("12 reviews without a date are left out of the trend" in c for c in texts(at.caption))


def test_product_without_dates_explains_the_missing_trend(seeded) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Toaster T2"]})
    assert any("The trend is hidden because these reviews have no dates" in i for i in texts(at.info))
    assert len(review_table(at)) == 12


def test_label_filter_and_search_narrow_the_table(seeded) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Kettle K1"]})
    at.pills(key="f_labels").set_value(["negative"]).run()
    table = review_table(at)
    assert 0 < len(table) < 30 and set(table["label"].str[0]) == {"negative"}
    at.text_input(key="f_search").input("leaks").run()
    table = review_table(at)
    assert len(table) > 0 and table["text"].str.contains("leaks").all()


def test_filter_with_no_results_and_clear(seeded) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Kettle K1"]})
    at.text_input(key="f_search").input("zeppelin").run()
    assert "No reviews match these filters" in at.warning[0].value
    assert not charts_on(at)
    at.button(key="clear_filters").click().run()
    assert len(review_table(at)) == 30


def test_picking_a_driver_filters_the_table(seeded) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Kettle K1"]})
    negative_terms = at.pills(key="driver_neg").options
    assert negative_terms, "expected negative drivers for the kettle"
    term = negative_terms[0]
    at.pills(key="driver_neg").set_value(term).run()
    assert any(term in i for i in texts(at.info))
    table = review_table(at)
    for word in term.split():
        assert table["text"].str.lower().str.contains(word).all()
    at.button(key="clear_term").click().run()
    assert len(review_table(at)) == 30


class Relabelled:
    """The shipped model under another version name: a second model version to compare with."""

    def __init__(self, predictor, version: str) -> None:
        self._predictor = predictor
        self.version = version

    def predict_frame(self, texts, chunk_size: int = 5000):
        return self._predictor.predict_frame(texts, chunk_size)

    def predict_proba(self, texts, batch_size: int = 512):  # aspect sentiment scores clauses
        return self._predictor.predict_proba(texts, batch_size)

    def sentence_scores(self, texts, batch_size: int = 512):  # ... and takes whole sentences' from it
        return self._predictor.sentence_scores(texts, batch_size)


def test_model_version_selector_when_several_versions_scored(seeded, predictor) -> None:
    from core.storage.importer import rescore

    assert rescore(seeded, ["Kettle K1"], Relabelled(predictor, "zz-test-v2")) == 30
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Kettle K1"]})
    select = at.selectbox(key="model_version")
    assert select.options[0] == "Latest for each review"
    assert set(select.options[1:]) == {"zz-test-v2", predictor.version}
    select.set_value(predictor.version).run()
    assert not at.exception
    assert len(review_table(at)) == 30


def test_opens_on_the_most_negative_product(seeded) -> None:
    import pandas as pd

    from dashboard.views.products import first_product

    at = open_page("products")
    summary = pd.DataFrame(
        {
            "product": ["Big calm", "Small angry", "Mid unhappy"],
            "reviews": [500, 5, 40],
            "negative": [0.1, 0.9, 0.4],
        }
    )
    assert first_product(summary) == "Mid unhappy"  # "Small angry" has too few reviews to lead
    assert first_product(summary.assign(reviews=[5, 5, 5])) == "Big calm"  # nobody qualifies: the largest
    assert len(at.multiselect(key="products_select").value) == 1


def _events(run) -> list[dict]:
    """The JSON log events emitted while `run()` runs."""
    import json
    import logging

    from core.logs import get_logger

    lines: list[dict] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(record.getMessage()))

    logger = get_logger()
    handler = Collect()
    logger.addHandler(handler)
    try:
        run()
    finally:
        logger.removeHandler(handler)
    return lines


def test_warming_after_an_import_prepares_what_the_page_opens_with(seeded) -> None:
    from dashboard import product_data, state

    url = state.database_url()
    products = product_data.opening_products(["Kettle K1"])
    events = _events(lambda: product_data.warm(seeded, url, products, "en", state.data_version()))
    assert [e["event"] for e in events] == ["products_warm"]
    # the page opens on the filters the warm-up computed for, so it reads those cached results
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Kettle K1"]})
    assert not at.exception
    f = product_data.default_filters(state.reviews(seeded, url, products, None))
    assert (at.date_input(key="f_from").value, at.date_input(key="f_to").value) == (f.start, f.end)
    assert len(charts_on(at)) == 5 and len(review_table(at)) == 30


def test_a_failed_warm_up_is_logged_not_raised(seeded) -> None:
    from dashboard import product_data, state

    state.invalidate()  # nothing cached: the warm-up has to read the (missing) product
    events = _events(lambda: product_data.warm(None, "no-such-url", ("Kettle K1",), "en", -1))
    assert [e["event"] for e in events] == ["products_warm_failed"]


def test_the_product_pages_own_rating_is_shown_beside_the_reviews(seeded) -> None:
    from core.storage.site_ratings import SiteRatingValue, record_site_ratings

    page = "https://shop.example/kettle-k1"
    rating = SiteRatingValue(8.6, best=10, worst=0, ratings=1234)
    record_site_ratings(seeded, [("Kettle K1", page, rating)], None)
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Kettle K1", "Toaster T2"]})
    table = at.table[0].value.set_index("Product")
    # 8.6 of 0-10 is 4.44 stars; the toaster's row stays blank
    assert table["Rating on the product page"].to_dict() == {
        "Kettle K1": "4.4 ★ from 1,234 ratings",
        "Toaster T2": "",
    }


def test_picked_labels_are_in_one_order_whatever_the_click_order() -> None:
    from dashboard.product_data import picked_labels

    assert picked_labels(["positive", "negative"]) == picked_labels(["negative", "positive"])
    assert picked_labels(["positive", "negative"]) == ("negative", "positive")
    assert picked_labels([]) == picked_labels(None) == ("negative", "neutral", "positive")


def test_exports_carry_the_language_and_a_note(store, predictor, tmp_path) -> None:
    from core.storage.importer import import_file
    from core.storage.queries import reviews_frame
    from dashboard.language_notes import with_reading_notes

    path = tmp_path / "mixed.csv"
    path.write_text(
        "product,review\n"
        "Kettle,The kettle is great but the lid does not close and it gets very hot.\n"
        "Kettle,El hervidor es muy bueno pero la tapa no cierra bien y se calienta mucho.\n",
        encoding="utf-8",
    )
    import_file(store, path, predictor=predictor)
    export = with_reading_notes(reviews_frame(store), predictor.language).set_index("language")
    assert export.loc["spanish", "note"] == (
        "Spanish: the active model reads English; adapt it on rated Spanish reviews"
    )
    assert export.loc["english", "note"] == ""


GOOD, BAD = "Blends smoothies fast and quietly and I love it", "The jar cracked and it leaks everywhere"
SPANISH = (
    "La jarra se rompió y el motor hace mucho ruido desde el primer día.,Yes,0,web",
    "Muy buena licuadora que prepara los batidos rápido y sin ruido.,No,1,web",
)
EXTRA_REVIEWS = (
    "product,date,rating,review,verified purchase,helpful votes,channel\n"
    + "".join(
        f"Blender B3,2026-04-{day:02d},{5 if day % 2 else 1},"
        f"{GOOD if day % 2 else BAD}"
        f" (order {day}).,{'Yes' if day % 3 else 'No'},{day},{'web' if day < 10 else 'store'}\n"
        for day in range(1, 21)
    )
    + f"Blender B3,2026-04-21,2,{SPANISH[0]}\n"
    + f"Blender B3,2026-04-22,4,{SPANISH[1]}\n"
)


@pytest.fixture
def blenders(store, predictor, tmp_path):
    from core.storage.importer import import_file

    path = tmp_path / "blenders.csv"
    path.write_text(EXTRA_REVIEWS, encoding="utf-8")
    import_file(store, path, predictor=predictor)
    return store


def test_the_file_s_other_columns_filter_the_reviews(blenders) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Blender B3"]})
    assert len(review_table(at)) == 22
    verified = next(m for m in at.multiselect if m.label == "verified purchase")
    assert verified.options == ["No", "Yes"]
    verified.set_value(["No"]).run()
    assert not at.exception
    table = review_table(at)
    assert len(table) == 7  # days 3, 6, 9, 12, 15, 18 and the Spanish "No"
    channel = next(m for m in at.multiselect if m.label == "channel")
    channel.set_value(["store"]).run()
    assert len(review_table(at)) == 3  # days 12, 15, 18
    votes = next(s for s in at.slider if s.label == "helpful votes")
    assert votes.value == (0, 20)
    votes.set_value((15, 20)).run()
    assert len(review_table(at)) == 2  # days 15, 18
    # "Clear filters" appears only when nothing matches: narrow to nothing, then clear
    next(s for s in at.slider if s.label == "helpful votes").set_value((19, 20)).run()
    assert "No reviews match these filters" in at.warning[0].value
    at.button(key="clear_filters").click().run()
    assert len(review_table(at)) == 22
    assert next(m for m in at.multiselect if m.label == "channel").value == []


def test_other_language_reviews_are_labelled_and_counted(blenders) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Blender B3"]})
    note = "Spanish: the active model reads English; adapt it on rated Spanish reviews"
    assert f"2 of 22 reviews of Blender B3 · {note}" in texts(at.caption)
    assert any(link.label == "Adapt the model on the Model page" for link in at.get("page_link"))
    table = review_table(at)
    spanish = table[table["text"].str.startswith(("La jarra", "Muy buena"))]
    assert set(spanish["note"]) == {note}
    assert set(table.drop(spanish.index)["note"]) == {""}


def test_the_language_note_and_the_filters_in_spanish(blenders) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Blender B3"], Keys.LANG: "es"})
    note = "Español: el modelo activo lee inglés; adáptelo con reseñas valoradas en español"
    assert f"2 de 22 reseñas de Blender B3 · {note}" in texts(at.caption)
    assert any(e.label.startswith("Más filtros: las otras columnas del archivo") for e in at.expander)


# --- issue 17: agreement with stars, comparison, filters that reset and hold, trends, review table ---


@pytest.fixture
def with_spanish(seeded, predictor):
    """`seeded` plus `fixtures/rated_spanish.csv` (Cafetera Solara: 12 rated Spanish reviews, dated
    2 March to 9 April 2026), scored by the real model, which reads English."""
    from core.storage.importer import import_file

    path = FIXTURES / "rated_spanish.csv"
    import_file(seeded, path.read_bytes(), path.name, predictor=predictor)
    return seeded


def agreement_now(engine) -> pd.DataFrame:
    """Each product's agreement of stored labels and stars, as the real model scored them."""
    from core.analytics import rating_agreement
    from core.storage.queries import reviews_frame

    return rating_agreement(reviews_frame(engine)).set_index("product")


def test_low_agreement_shows_the_adapt_banner_and_opens_the_adapt_section(with_spanish) -> None:
    from dashboard.adapt_section import AdaptKeys

    agreement = agreement_now(with_spanish)
    low = agreement.index[(agreement["agreement"] < 0.70) & (agreement["rated"] >= MIN_RATED)].tolist()
    assert "Cafetera Solara" in low, f"the English model now reads these Spanish reviews well: {agreement}"
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Cafetera Solara"]})
    table = at.table[0].value.set_index("Product")
    pct = round(agreement.loc["Cafetera Solara", "agreement"] * 100)
    assert table.loc["Cafetera Solara", "Labels agree with stars"] == f"{pct} % of 12 rated"
    assert any("below 70 %" in c for c in texts(at.caption))  # the threshold is stated
    banner = [w for w in texts(at.warning) if "agree with the star ratings in fewer than 70 %" in w]
    assert len(banner) == 1 and "Cafetera Solara" in banner[0]
    at.button(key="adapt_low").click().run()
    assert not at.exception
    # the Model page, its adapt section set to these products' reviews
    assert at.session_state[AdaptKeys.PRODUCTS] == ["Cafetera Solara"]
    assert at.multiselect(key=AdaptKeys.PRODUCTS).value == ["Cafetera Solara"]


def test_no_banner_when_labels_agree_with_stars(with_spanish) -> None:
    agreement = agreement_now(with_spanish)
    assert agreement.loc["Kettle K1", "agreement"] >= 0.70, agreement
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Kettle K1"]})
    assert not [w for w in texts(at.warning) if "fewer than 70 %" in w]
    assert at.table[0].value["Labels agree with stars"].iloc[0].endswith("of 30 rated")


def test_spanish_strings_for_the_comparison_and_banner(with_spanish) -> None:
    at = open_page("products", {Keys.LANG: "es", Keys.SELECTED_PRODUCTS: ["Cafetera Solara"]})
    assert "Etiquetas que coinciden con las estrellas" in at.table[0].value.columns
    assert any("menos del 70 %" in w for w in texts(at.warning))
    assert at.button(key="adapt_low").label == "Adaptar el modelo a estas reseñas"
    assert [d.label for d in at.date_input] == ["Desde", "Hasta"]


def test_clear_filters_resets_every_widget(seeded) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Kettle K1"]})
    lo, hi = at.date_input(key="f_from").value, at.date_input(key="f_to").value
    at.pills(key="f_labels").set_value(["negative"]).run()
    at.text_input(key="f_search").input("leaks").run()
    at.slider(key="f_rating").set_range(1, 2).run()
    at.date_input(key="f_from").set_value(date(2026, 3, 1)).run()
    assert len(review_table(at)) < 30
    at.button(key="clear_filters").click().run()
    assert not at.exception
    # the widgets show their defaults again (not only the data), and the next click re-applies nothing
    assert at.pills(key="f_labels").value == ["negative", "neutral", "positive"]
    assert at.text_input(key="f_search").value == ""
    assert at.slider(key="f_rating").value == (1, 5)
    assert (at.date_input(key="f_from").value, at.date_input(key="f_to").value) == (lo, hi)
    assert len(review_table(at)) == 30
    at.text_input(key="f_search").input("").run()
    assert len(review_table(at)) == 30


def test_the_date_range_survives_a_product_change(with_spanish) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Kettle K1"]})
    at.date_input(key="f_from").set_value(date(2026, 3, 1)).run()
    at.date_input(key="f_to").set_value(date(2026, 5, 1)).run()
    at.multiselect(key="products_select").select("Cafetera Solara").run()
    assert not at.exception
    assert (at.date_input(key="f_from").value, at.date_input(key="f_to").value) == (
        date(2026, 3, 1),
        date(2026, 5, 1),
    )
    # only the Spanish product: the range is clipped to its days, not dropped
    at.multiselect(key="products_select").unselect("Kettle K1").run()
    assert (at.date_input(key="f_from").value, at.date_input(key="f_to").value) == (
        date(2026, 3, 2),
        date(2026, 4, 9),
    )


def test_comparing_products_one_table_one_trend_and_small_sample_warning(with_spanish) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: ["Kettle K1", "Cafetera Solara"]})
    table = at.table[0].value
    assert table["Product"].tolist() == ["Cafetera Solara", "Kettle K1"]
    assert table.columns.tolist()[:8] == [
        "Product", "Reviews", "Negative", "Neutral", "Positive", "Average stars",
        "Negative vs previous period", "Labels agree with stars",
    ]  # fmt: skip
    assert table["Reviews"].tolist() == ["12", "30"]
    assert all(cell.endswith(" %") for cell in table[["Negative", "Neutral", "Positive"]].to_numpy().ravel())
    assert "…" not in "".join(table.to_numpy().ravel())
    # one overlaid trend (distribution, trend, heatmap, drivers, confidence), a share picked at a time
    assert len(charts_on(at)) == 5
    assert at.segmented_control(key="trend_label").value == "negative"
    small = [w for w in texts(at.warning) if w.startswith("Small sample")]
    assert len(small) == 1 and "Cafetera Solara (12)" in small[0] and "Kettle" not in small[0]
    assert any(c.startswith("Thin lines: the share in each period") for c in texts(at.caption))


def test_review_table_cells_and_exports() -> None:
    from dashboard.views.products import export_view, table_view

    stored = pd.DataFrame(
        {
            "review_id": [1, 2], "import_id": [1, 1], "product": ["K", "K"], "text": ["Leaks", None],
            "title": [None, "Fine"], "author": [None, "ana"], "rating": [0.0, float("nan")],
            "review_date": pd.to_datetime(["2026-01-02", None]), "label": ["negative", "neutral"],
            "negative": [0.8, 0.1], "neutral": [0.15, 0.6], "positive": [0.05, 0.3], "confidence": [0.8, 0.6],
        }
    )  # fmt: skip
    view = table_view(stored)
    assert view.columns.tolist().index("title") + 1 == view.columns.tolist().index("text")  # side by side
    assert view["title"].tolist() == ["", "Fine"] and view["text"].tolist() == ["Leaks", ""]
    assert view["stars"].tolist()[0] == 1 and pd.isna(view["stars"].tolist()[1])  # 1–5, blank unrated
    assert view[["negative", "confidence"]].to_numpy().tolist() == [[80.0, 80.0], [10.0, 60.0]]
    out = export_view(stored)
    assert "rating" not in out.columns and "review_id" not in out.columns
    assert out["stars"].tolist()[0] == 1 and pd.isna(out["stars"].tolist()[1])
    assert out["stars"].dropna().between(1, 5).all()


def test_pure_filter_helpers() -> None:
    from dashboard.product_data import Filters, held_dates, low_agreement, previous_filters, small_samples

    f = Filters(start=date(2026, 3, 11), end=date(2026, 3, 20), search="x")
    before = previous_filters(f)
    assert before == Filters(start=date(2026, 3, 1), end=date(2026, 3, 10), search="x")
    assert previous_filters(Filters()) is None
    bounds = (date(2026, 3, 2), date(2026, 4, 9))
    assert held_dates((date(2026, 3, 1), date(2026, 5, 1)), bounds) == bounds  # clipped
    assert held_dates((date(2026, 3, 5), date(2026, 3, 6)), bounds) == (date(2026, 3, 5), date(2026, 3, 6))
    assert held_dates((date(2025, 1, 1), date(2025, 2, 1)), bounds) == bounds  # misses them: whole span
    assert held_dates(None, bounds) == bounds
    table = pd.DataFrame({"product": ["A", "B", "C"], "rated": [20, 5, 20], "agreement": [0.5, 0.2, 0.9]})
    assert low_agreement(table, 0.7) == ["A"]  # B has too few rated reviews to judge
    slim = pd.DataFrame({"product": ["A"] * 30 + ["B"] * 3})
    assert small_samples(slim, ["A", "B", "C"]) == {"B": 3, "C": 0}
