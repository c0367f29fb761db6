"""The Spanish UI is complete: Upload (with an import summary and reject reasons), Products and Model
rendered in Spanish show none of a list of English strings they would show in English."""

from __future__ import annotations

import re
from typing import Any

from dashboard.state import Keys
from dashboard.views.model import clean
from tests.dashboard.apptest import FIXTURES, open_page, shown

# What each page says in English; none may appear once Spanish is chosen.
ENGLISH = {
    "upload": (
        "Read ", "rows: stored", "duplicates", "empty text", "Rows read", "Stored", "Rejected", "Download",
        "Review text", "Preview", "rows", "delimiter", "Import", "Model ",
    ),
    # the Products page's own text; its review table (blank cells, stars) is another change's
    "products": ("Sentiment distribution", "Reviews", "Product", "Positive", "Negative", "Choose", "Trend"),
    "model": (
        "Good at", "Weak at", "Held-out test results", "Training data", "Health", "Last import", "never",
        "succeeded", "tweets/test", "imdb/test", "trained_without", "Reviews not in", "Texts per second",
        "Engineering detail", "Active model", "None", "Rated reviews", "Label mapping", "yes",
    ),
}  # fmt: skip


def visible_text(at: Any, skip: tuple[str, ...] = ()) -> str:
    """Everything an AppTest run shows as text (elements containing any of `skip` left out)."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "success",
        "error",
    ):
        parts += [shown(str(e.value)) for e in getattr(at, kind)]
    parts += [str(e.label) for e in at.expander]
    for metric in at.metric:
        parts += [metric.label, str(metric.value)]
    for widget in (*at.button, *at.selectbox, *at.multiselect, *at.radio, *at.text_input, *at.checkbox):
        parts.append(str(widget.label))
    for select in (*at.selectbox, *at.radio):
        parts += [str(o) for o in select.options]
    for frame in at.dataframe:
        # cells only: the headers shown are the column_config titles, not the frame's own names
        parts += [str(v) for v in frame.value.to_numpy().ravel()]
    return "\n".join(p for p in parts if not any(s in p for s in skip))


def english_in(text: str, page: str) -> list[str]:
    """The page's English strings found as whole words ("Import" is not in "Importar")."""
    return [s for s in ENGLISH[page] if re.search(rf"(?<!\w){re.escape(s.strip())}(?!\w)", text)]


def test_spanish_upload_with_a_summary(store, predictor) -> None:
    at = open_page("upload", {Keys.LANG: "es"})
    data = (FIXTURES / "semicolon_latin1.csv").read_bytes()
    at.file_uploader(key="upload_file").set_value(("semicolon_latin1.csv", data, "text/csv")).run()
    at.button(key="import").click().run()
    assert not at.exception, [e.message for e in at.exception]
    text = visible_text(at, skip=("Fecha", "Opinión", "Café"))  # the file's own cells and headers
    assert "Leídas 4 filas" in text and "texto vacío" in text
    assert not english_in(text, "upload"), english_in(text, "upload")


def test_spanish_products(seeded) -> None:
    at = open_page("products", {Keys.LANG: "es"})
    assert not at.exception, [e.message for e in at.exception]
    text = visible_text(at, skip=("Kettle", "Toaster"))  # product names and review texts are the user's
    assert not english_in(text, "products"), english_in(text, "products")


def test_spanish_model(seeded, predictor) -> None:
    at = open_page("model", {Keys.LANG: "es"})
    assert not at.exception, [e.message for e in at.exception]
    card = predictor.card
    # the card's own prose is quoted as written (the page says so in Spanish); everything else is Spanish
    prose = tuple(clean(v) for v in (*card["known_limits"], *card["design"], card["task"]))
    prose += (card["architecture"]["name"], "loss", "cross-entropy")
    text = visible_text(at, skip=prose)
    assert "Se le da bien" in text and "tuits (conjunto de prueba)" in text
    assert not english_in(text, "model"), english_in(text, "model")
