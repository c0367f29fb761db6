"""Products: compare products side by side, filter, and read every chart of their reviews.

The stored reviews of the chosen products are loaded once (cached) and every filter is applied
in pandas, so changing a filter re-renders in well under a second even at 100k reviews.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
import streamlit as st

from core.logs import log_event
from dashboard import aspect_section, charts, extra_filters, state
from dashboard.columns import as_pills, label_pill, probability_columns
from dashboard.highlight import escape_markdown
from dashboard.i18n import current_language, label_name, t
from dashboard.language_notes import other_language_counts, with_reading_notes, with_table_notes
from dashboard.product_data import (
    DRIVER_SAMPLE,
    LOW_CONFIDENCE,
    MAX_COMPARE,
    SLIM_COLUMNS,
    Filters,
    TrendKey,
    apply_filters,
    derived,
    drivers_view,
    filtered_reviews,
    opening_products,
    picked_labels,
    trend_freq,
    trends,
)
from dashboard.state import Keys

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

TABLE_ROWS = 300  # rows sent to the browser (re-sent on every filter change); downloads carry all
FREQUENCIES = ("auto", "D", "W", "M")
FILTER_KEYS = ("f_labels", "f_rating", "f_search", "driver_neg", "driver_pos", aspect_section.PICK_KEY)


def first_product(summary: pd.DataFrame, min_reviews: int = 20) -> str:
    """The product to open with when none was chosen: the one with the highest negative share among
    those with at least `min_reviews` reviews (what an analyst looks at first), else the largest.
    """
    enough = summary[summary["reviews"] >= min_reviews].dropna(subset=["negative"])
    if enough.empty:
        return str(summary.sort_values("reviews", ascending=False)["product"].iloc[0])
    return str(enough.sort_values(["negative", "reviews"], ascending=False)["product"].iloc[0])


def empty_state() -> None:
    """No reviews stored yet: say so and point to the three ways in."""
    st.info(t("products.empty"), icon=":material/inbox:")
    st.page_link("views/overview.py", label=t("products.empty.sample"), icon=":material/dataset:")
    st.page_link("views/upload.py", label=t("page.upload"), icon=":material/upload_file:")
    st.page_link("views/scrape.py", label=t("page.scrape"), icon=":material/travel_explore:")


def clear_filters() -> None:
    """Callback: drop every filter widget's value so they come back at their defaults."""
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)
    extra_filters.clear()
    st.session_state[Keys.DRIVER_TERM] = None


def clear_term() -> None:
    """Callback: drop the driver term (and its pill selection), keep the other filters."""
    for key in ("driver_neg", "driver_pos"):
        st.session_state.pop(key, None)
    st.session_state[Keys.DRIVER_TERM] = None


def remember_products() -> None:
    """Callback: keep the selection when the user leaves the page and comes back."""
    st.session_state[Keys.SELECTED_PRODUCTS] = list(st.session_state["products_select"])
    clear_term()  # a term picked for other products would silently empty the table
    aspect_section.clear_pick()


def pick_term(source: str, other: str) -> None:
    """Callback: a driver term was picked in `source`; the other list is cleared."""
    st.session_state[Keys.DRIVER_TERM] = st.session_state.get(source)
    st.session_state[other] = None


def filter_bar(frame: pd.DataFrame) -> Filters:
    """Date range, label, star and text filters above the charts."""
    lang = current_language()
    cols = st.columns([3, 3, 2, 3])
    start = end = None
    dates = frame["review_date"].dropna()
    if not dates.empty:
        lo, hi = dates.min().date(), dates.max().date()
        picked = cols[0].date_input(
            t("products.dates"), value=(lo, hi), min_value=lo, max_value=hi, key=f"f_dates_{lo}_{hi}"
        )
        if isinstance(picked, tuple) and len(picked) == 2:
            start, end = picked
    labels = cols[1].pills(
        t("products.labels"),
        charts.LABELS,
        selection_mode="multi",
        default=list(charts.LABELS),
        format_func=lambda v: label_name(v, lang),
        key="f_labels",
    )
    stars = (1, 5)
    if frame["rating"].notna().any():
        stars = cols[2].slider(t("products.stars"), 1, 5, value=(1, 5), key="f_rating")
    search = cols[3].text_input(t("products.search"), key="f_search", placeholder=t("products.search_hint"))
    return Filters(
        start=start,
        end=end,
        labels=picked_labels(labels),
        min_stars=int(stars[0]),
        max_stars=int(stars[1]),
        search=search,
    )


def headline(frame: pd.DataFrame, products: list[str], site: pd.DataFrame) -> None:
    """Per product: reviews, negative and positive share, average stars, and the product page's own
    average rating when a scrape found one (`site`: :func:`core.storage.queries.latest_site_ratings`)."""
    lang = current_language()
    cols = st.columns(len(products))
    for col, product in zip(cols, products, strict=True):
        part = frame[frame["product"] == product]
        with col, st.container(border=True):
            st.markdown(f"**{escape_markdown(product)}**")
            inner = st.columns(3)
            inner[0].metric(t("col.reviews"), f"{len(part):,}")
            if len(part):
                shares = part["label"].value_counts(normalize=True)
                inner[1].metric(label_name("negative", lang), f"{shares.get('negative', 0):.0%}")
                inner[2].metric(label_name("positive", lang), f"{shares.get('positive', 0):.0%}")
            rated = part["rating"].dropna()
            if not rated.empty:
                st.caption(t("products.avg_stars", stars=f"{charts.rating_buckets(rated).mean():.1f}"))
            for page in site.loc[site["product"] == product].itertuples():
                count = next((int(c) for c in (page.ratings, page.reviews) if pd.notna(c) and c > 0), None)
                stars = f"{page.stars:.1f}"
                st.caption(
                    t("products.site_rating", stars=stars)
                    if count is None
                    else t("products.site_rating_count", stars=stars, n=f"{count:,}"),
                    help=t(
                        "products.site_rating_help",
                        url=escape_markdown(page.source_url),
                        day=f"{page.observed_at:%Y-%m-%d}",
                    ),
                )


def trend_section(slim: pd.DataFrame, products: list[str], key: TrendKey) -> None:
    """Label shares over time per product, side by side; explains itself when there are no dates.

    :param key: (filtered frame, url, products, version, filters, lang, data version): the
        arguments of :func:`trends` before the frequency.
    """
    st.subheader(t("products.trend"))
    dates = slim["review_date"]
    undated = int(dates.isna().sum())
    if undated == len(slim):
        st.info(t("products.trend.no_dates"), icon=":material/event_busy:")
        return
    choice = st.segmented_control(
        t("products.trend.freq"),
        FREQUENCIES,
        default="auto",
        format_func=lambda v: t(f"products.freq.{v}"),
        key="trend_freq",
    )
    freq = trend_freq(slim) if choice in (None, "auto") else choice
    if undated:
        st.caption(t("products.trend.undated", n=undated))
    figures = trends(*key, freq)
    cols = st.columns(len(products))
    for col, product in zip(cols, products, strict=True):
        with col:
            if product not in figures:
                st.info(
                    t("products.trend.no_dates_product", product=escape_markdown(product)),
                    icon=":material/event_busy:",
                )
                continue
            st.plotly_chart(figures[product], key=f"trend_{product}")


def rows_of(full: pd.DataFrame, picked: pd.DataFrame, n: int = 50) -> pd.DataFrame:
    """The first `n` rows of `picked` (a slim frame with a `row` column) with all of `full`'s columns."""
    top = picked.head(n)
    out = full.loc[top["row"]]
    extra = [c for c in top.columns if c not in full.columns and c != "row"]
    return out.assign(**{c: top[c].to_numpy() for c in extra})


def rating_section(d: dict[str, Any], full: pd.DataFrame) -> None:
    """Stars against predicted label, and the reviews where they disagree most."""
    st.subheader(t("products.ratings"))
    if d["heatmap"] is None:
        st.info(t("products.ratings.none"), icon=":material/star_outline:")
        return
    left, right = st.columns([2, 3])
    left.plotly_chart(d["heatmap"], key="heatmap")
    with right:
        st.markdown(f"**{t('products.mismatches')}**")
        st.caption(t("products.mismatches.help"))
        if d["mismatches"].empty:
            st.success(t("products.mismatches.none"), icon=":material/check:")
        else:
            review_table(rows_of(full, d["mismatches"]), key="mismatch_table", height=300)


def drivers_section(
    engine: Engine, url: str, products: tuple[str, ...], version: str | None, f: Filters
) -> None:
    """Words and phrases over-represented in negative and in positive reviews; picking one
    filters the review table below.
    """
    lang = current_language()
    st.subheader(t("products.drivers"))
    st.caption(t("products.drivers.help", n=f"{DRIVER_SAMPLE:,}"))
    table, figure = drivers_view(engine, url, products, version, f.start, f.end, lang, state.data_version())
    if table.empty:
        st.info(t("products.drivers.none"), icon=":material/info:")
        return
    left, right = st.columns([3, 2])
    left.plotly_chart(figure, key="drivers")
    with right:
        for polarity, key, other in (
            ("negative", "driver_neg", "driver_pos"),
            ("positive", "driver_pos", "driver_neg"),
        ):
            terms = table.loc[table["side"] == polarity, "term"].tolist()  # strongest first
            if terms:
                st.pills(
                    t(f"products.drivers.{polarity}"),
                    terms,
                    selection_mode="single",
                    key=key,
                    on_change=pick_term,
                    args=(key, other),
                    width="stretch",
                    wrap=True,
                )


def confidence_section(d: dict[str, Any], full: pd.DataFrame) -> None:
    """How sure the model is, and the reviews it is least sure about, for a human look."""
    st.subheader(t("products.confidence"))
    left, right = st.columns([2, 3])
    left.plotly_chart(d["confidence"], key="confidence")
    with right:
        pct = f"{LOW_CONFIDENCE:.0%}"
        st.markdown(f"**{t('products.low_confidence', n=d['low_count'], pct=pct)}**")
        if d["low"].empty:
            st.success(t("products.low_confidence.none"), icon=":material/check:")
        else:
            review_table(rows_of(full, d["low"]), key="low_conf_table", height=300)


def review_table(frame: pd.DataFrame, key: str, height: int | Literal["auto"] = "auto") -> None:
    """Reviews with a label pill, probability bars, date and stars (text is shown as text, never HTML)."""
    lang = current_language()
    stars = charts.rating_buckets(frame["rating"]).astype("Int64")  # blank, not "None", when unrated
    # "Spanish: the active model reads English; ..." beside the label, where a review needs it
    view = with_table_notes(frame.assign(label=as_pills(frame["label"]), stars=stars))
    if "mismatch" in view.columns:
        view["mismatch"] = view["mismatch"].map(
            lambda v: t(f"products.mismatch.{v.replace(' ', '_').replace(',', '')}")
        )
    columns = [
        "review_date", "product", "label", "note", "mismatch", "text", "stars",
        "negative", "neutral", "positive", "confidence", "title", "author",
    ]  # fmt: skip
    st.dataframe(
        view[[c for c in columns if c in view.columns]],
        key=key,
        hide_index=True,
        height=height,
        column_config={
            "review_date": st.column_config.DateColumn(t("col.date"), format="YYYY-MM-DD"),
            "product": st.column_config.TextColumn(t("col.product")),
            "label": label_pill(lang),
            "note": st.column_config.TextColumn(t("col.language_note")),
            "mismatch": st.column_config.TextColumn(t("products.mismatches")),
            "text": st.column_config.TextColumn(t("col.text"), width="large"),
            "stars": st.column_config.NumberColumn(t("col.stars"), format="%d ★"),
            **probability_columns(lang),
            "confidence": st.column_config.NumberColumn(t("col.confidence"), format="percent"),
            "title": st.column_config.TextColumn(t("col.title")),
            "author": st.column_config.TextColumn(t("col.author")),
        },
    )


def table_section(frame: pd.DataFrame, aspect: str | None = None) -> None:
    """The review table (newest first) with CSV and XLSX downloads of every filtered row; `aspect`:
    the aspect whose mentions it is narrowed to, if any."""
    from core.spreadsheet import to_safe_csv, to_safe_xlsx

    st.subheader(t("products.reviews"))
    if aspect:
        cols = st.columns([4, 1])
        cols[0].info(
            t("products.aspects.filter", aspect=escape_markdown(aspect)), icon=":material/filter_alt:"
        )
        cols[1].button(t("products.term_clear"), key="clear_aspect", on_click=aspect_section.clear_pick)
    term = st.session_state.get(Keys.DRIVER_TERM)
    if term:
        cols = st.columns([4, 1])
        cols[0].info(t("products.term_filter", term=escape_markdown(term)), icon=":material/filter_alt:")
        cols[1].button(t("products.term_clear"), key="clear_term", on_click=clear_term)
    # order by date alone, then take the rows: sorting the whole frame would move every text
    newest = frame["review_date"].sort_values(ascending=False, na_position="last", kind="stable").index
    shown = frame.loc[newest[:TABLE_ROWS]]
    st.caption(t("products.table.count", shown=len(shown), total=len(frame)))
    review_table(shown, key="review_table", height=420)

    def export() -> pd.DataFrame:
        rows = frame.loc[newest].drop(columns=[c for c in ("review_id", "import_id") if c in frame.columns])
        return with_reading_notes(rows, state.predictor().language)

    cols = st.columns([1, 1, 4])
    cols[0].download_button(
        t("products.download_csv"),
        data=lambda: to_safe_csv(export()),
        file_name="reviews.csv",
        mime="text/csv",
        key="download_reviews_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    cols[1].download_button(
        t("products.download_xlsx"),
        data=lambda: to_safe_xlsx(export()),
        file_name="reviews.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="download_reviews_xlsx",
        on_click="ignore",
        icon=":material/table:",
    )


def main() -> None:
    """Render the page."""
    state.init_state()
    lang = current_language()
    st.title(t("page.products"))
    engine, url = state.engine(), state.database_url()
    summary = state.product_summary(engine, url)
    if summary.empty:
        empty_state()
        return
    names = summary.sort_values("reviews", ascending=False)["product"].tolist()
    chosen_before = [p for p in st.session_state[Keys.SELECTED_PRODUCTS] if p in names][:MAX_COMPARE]
    default = chosen_before or [first_product(summary)]
    chosen = st.multiselect(
        t("products.choose"),
        names,
        default=default,
        max_selections=MAX_COMPARE,
        key="products_select",
        on_change=remember_products,
        help=t("products.choose_help", n=MAX_COMPARE),
    )
    if not chosen:
        st.info(t("products.choose_none"), icon=":material/touch_app:")
        return
    products = opening_products(chosen)
    versions = state.model_versions(engine, url)
    version = None
    if len(versions) > 1:
        version = st.selectbox(
            t("products.model_version"),
            [None, *versions],
            format_func=lambda v: t("products.model_version_latest") if v is None else v,
            key="model_version",
            help=t("products.model_version_help"),
        )
    frame = state.reviews(engine, url, products, version)
    f = replace(filter_bar(frame), extra=extra_filters.filter_bar(frame))  # + the file's other columns
    base = filtered_reviews(engine, url, products, version, f)
    if base.empty:
        st.warning(t("products.no_match"), icon=":material/filter_alt_off:")
        st.button(t("products.clear_filters"), key="clear_filters", on_click=clear_filters)
        return
    # Charts need five narrow columns; selecting rows of those is far cheaper than of the text.
    slim = base[SLIM_COLUMNS]
    # `base` is passed unhashed (the underscore argument); (url, products, version, f) is the key
    key = (base, url, products, version, f, lang, state.data_version())
    d = derived(*key)
    headline(slim, list(chosen), state.site_ratings(engine, url))
    st.plotly_chart(d["distribution"], key="distribution")
    other_language_counts(base, list(chosen))
    trend_section(slim, list(chosen), key)
    rating_section(d, base)
    aspect_section.section(engine, url, products, version, base, f)  # Aspects (issue 16)
    drivers_section(engine, url, products, version, f)
    confidence_section(d, base)
    term = st.session_state.get(Keys.DRIVER_TERM)
    table_frame = apply_filters(base, Filters(term=term)) if term else base
    mentioning = aspect_section.picked_review_ids(engine, url, products, version, base, f)
    if mentioning is not None:
        table_frame = table_frame[table_frame["review_id"].isin(mentioning)]
    table_section(
        table_frame, st.session_state.get(aspect_section.PICK_KEY) if mentioning is not None else None
    )


if __name__ in {"__main__", "__page__"}:
    started = time.perf_counter()
    main()
    # DEBUG: one line per rerun; the dashboard benchmark splits a filter change into script and browser
    log_event("products_render", logging.DEBUG, seconds=round(time.perf_counter() - started, 3))
