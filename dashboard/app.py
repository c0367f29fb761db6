"""The dashboard's entry point: page config, the shared sidebar, and the page router.

Run with `make run` (or `sentiment serve`, or `streamlit run dashboard/app.py`: the editable install,
`pip install -e .`, makes `core` and `dashboard` importable whichever folder Streamlit starts from).
Each page is one file in `views/`; this file only frames them. (Not `pages/`: Streamlit treats a
`pages/` folder next to the entry file as a legacy multipage app, and the first visitor after a restart
who opens a deep link such as `/products` would get that page without this router, its sidebar or its
language.)
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import LANGUAGES, t
from dashboard.state import Keys, init_state, warm_up

st.set_page_config(page_title="Review Sentiment", page_icon=":material/reviews:", layout="wide")
init_state()
warm_up()

with st.sidebar:
    st.selectbox(t("app.language"), options=list(LANGUAGES), format_func=LANGUAGES.__getitem__, key=Keys.LANG)
    st.caption(t("app.tagline"))


def page(name: str, icon: str, default: bool = False) -> st.Page:
    """`views/<name>.py` titled in the session's language; url_path stays fixed, so switching
    language keeps the user on the same page.
    """
    return st.Page(f"views/{name}.py", title=t(f"page.{name}"), icon=icon, url_path=name, default=default)


home = st.Page(
    "views/overview.py", title=t("page.overview"), icon=":material/dashboard:", url_path="home", default=True
)


def overview_link() -> None:
    """`/overview` (the README's deep link): Streamlit serves the default page at `/` only, so this
    hidden page sends the visitor there, with the Overview highlighted in the navigation."""
    st.switch_page(home)


pages = {
    t("nav.analyze"): [
        home,
        st.Page(overview_link, title=t("page.overview"), url_path="overview", visibility="hidden"),
        page("analyze", ":material/edit_note:"),
        page("upload", ":material/upload_file:"),
        page("scrape", ":material/travel_explore:"),
    ],
    t("nav.insights"): [page("products", ":material/insights:")],
    t("nav.model"): [page("model", ":material/model_training:")],
}
st.navigation(pages).run()
