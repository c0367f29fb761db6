"""The router: page config, the language selector, and every page reachable."""

from __future__ import annotations

import pytest

from dashboard.state import Keys
from tests.dashboard.apptest import APP, open_page

PAGES = ["overview", "analyze", "upload", "scrape", "products", "model"]
TITLES_ES = ["Resumen", "Analizar texto", "Subir reseñas", "Extraer de la web", "Productos", "Modelo"]


def test_no_legacy_pages_folder() -> None:
    # A `pages/` folder beside app.py makes Streamlit serve deep links without the router.
    assert not (APP.parent / "pages").exists()


@pytest.mark.parametrize(("page", "title_es"), zip(PAGES, TITLES_ES, strict=True))
def test_every_page_opens_in_both_languages(store, page: str, title_es: str) -> None:
    at = open_page(page)
    assert at.title[0].value
    assert at.sidebar.selectbox(key=Keys.LANG).value == "en"
    at.sidebar.selectbox(key=Keys.LANG).set_value("es").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == title_es
    assert at.session_state[Keys.LANG] == "es"
