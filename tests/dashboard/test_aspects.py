"""Products page → Aspects: the section, its quotes, the aspect filter, comparison and analyst rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.state import Keys
from tests.dashboard.apptest import open_page, texts

SAMPLE = Path(__file__).resolve().parents[2] / "dashboard" / "sample_data" / "sample_reviews.csv"
BREWMASTER = "BrewMaster 12-Cup Coffee Maker"


@pytest.fixture
def sample(store, predictor):
    from core.storage.importer import import_file

    import_file(store, SAMPLE.read_bytes(), SAMPLE.name, predictor=predictor)
    return store


def aspect_table(at):
    return next(d.value for d in at.dataframe if list(d.value.columns[:2]) == ["name", "mentions"])


def test_brewmaster_shows_its_leak_lid_and_carafe_problems_with_quotes(sample) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: [BREWMASTER]})
    assert "Aspects" in texts(at.subheader)
    table = aspect_table(at)
    top = table["name"].head(10).tolist()
    assert top[0] == "Leaks & spills", top
    assert {"Lid", "Carafe"} <= set(top), top
    lid = table[table["name"] == "Lid"].iloc[0]
    assert lid["negative"] > 0.8
    # quotes of the top aspects, the aspect's words coloured, the review text escaped
    quoted = " ".join(texts(at.markdown))
    assert ":red-background[leak" in quoted or ":red-background[drip" in quoted or ":red[" in quoted
    # picking an aspect narrows the review table to its mentions and quotes it
    at.pills(key="aspect_pick").set_value("Carafe").run()
    assert any("Showing reviews that mention" in i for i in texts(at.info))
    reviews = at.dataframe[-1].value
    assert len(reviews) > 0 and reviews["text"].str.lower().str.contains("carafe").all()
    assert "carafe" in " ".join(texts(at.markdown)).lower()


def test_aspects_honour_the_search_filter_and_compare_products(sample) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: [BREWMASTER, "Aurora ANC Headphones"]})
    compare = next(d.value for d in at.dataframe if any(" · mentions" in c for c in d.value.columns))
    assert {f"{BREWMASTER} · mentions", "Aurora ANC Headphones · negative"} <= set(compare.columns)
    at.text_input(key="f_search").input("carafe").run()
    table = aspect_table(at)
    assert "Carafe" in table["name"].tolist()
    assert "Sound" not in table["name"].tolist()  # no headphone review mentions a carafe


def test_analyst_renames_and_hides_an_aspect(sample) -> None:
    from core.storage.aspects import add_rule, aspect_rules

    at = open_page("products", {Keys.SELECTED_PRODUCTS: [BREWMASTER]})
    at.selectbox(key="aspect_edit_name").set_value("Lid").run()
    at.selectbox(key="aspect_edit_action").set_value("rename").run()
    at.text_input(key="aspect_edit_value").input("Lid & seal").run()
    at.button(key="aspect_edit_save").click().run()
    assert not at.exception
    assert "Lid & seal" in aspect_table(at)["name"].tolist()
    assert aspect_rules(sample)["action"].tolist() == ["rename"]
    add_rule(sample, "hide", "term:counter")
    at = open_page("products", {Keys.SELECTED_PRODUCTS: [BREWMASTER]})
    assert "Counter" not in aspect_table(at)["name"].tolist()


def test_spanish_ui_names_the_section_in_spanish(sample) -> None:
    at = open_page("products", {Keys.SELECTED_PRODUCTS: [BREWMASTER], Keys.LANG: "es"})
    assert "Aspectos" in texts(at.subheader)
