"""Products page: empty states, comparison, filters, drivers and the review table."""

from __future__ import annotations

from dashboard.state import Keys
from tests.dashboard.apptest import open_page, texts


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

    def predict_proba(self, texts, batch_size: int = 512):  # aspect sentiment scores sentences
        return self._predictor.predict_proba(texts, batch_size)


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
