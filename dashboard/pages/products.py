"""Products: compare products side by side, filter, and read every chart of their reviews.

The stored reviews of the chosen products are loaded once (cached) and every filter is applied
in pandas, so changing a filter re-renders in well under a second even at 100k reviews.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import charts, state
from dashboard.columns import as_pills, label_pill, probability_columns
from dashboard.i18n import current_language, label_name, t
from dashboard.state import Keys

MAX_COMPARE = 4  # side-by-side trend charts stay readable up to four
TABLE_ROWS = 1_000  # rows sent to the browser; downloads carry the full filtered set
LOW_CONFIDENCE = 0.55
FREQUENCIES = ("auto", "D", "W", "M")
FILTER_KEYS = ("f_labels", "f_rating", "f_search", "driver_neg", "driver_pos")


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the reviews to; hashable, so it keys cached derived frames."""

    start: date | None = None
    end: date | None = None
    labels: tuple[str, ...] = charts.LABELS
    min_stars: int = 1
    max_stars: int = 5
    search: str = ""
    term: str | None = None  # a driver term picked below the drivers chart


def apply_filters(frame: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The reviews matching `f`. Undated reviews are kept unless a date range excludes nothing
    but them; unrated reviews are kept when the rating range is the full 1–5.
    """
    mask = pd.Series(True, index=frame.index)
    if f.start is not None and f.end is not None and frame["review_date"].notna().any():
        day = frame["review_date"].dt.normalize()
        in_range = (day >= pd.Timestamp(f.start)) & (day <= pd.Timestamp(f.end))
        mask &= in_range | frame["review_date"].isna()
    if set(f.labels) != set(charts.LABELS):
        mask &= frame["label"].isin(f.labels)
    if (f.min_stars, f.max_stars) != (1, 5):
        stars = charts.rating_buckets(frame["rating"])
        mask &= stars.between(f.min_stars, f.max_stars)
    if f.search.strip():
        mask &= frame["text"].str.contains(f.search.strip(), case=False, regex=False, na=False)
    if f.term:
        # a driver phrase is made of model tokens (stopwords dropped), so match each word
        for word in f.term.split():
            mask &= frame["text"].str.contains(word, case=False, regex=False, na=False)
    return frame.loc[mask]


@st.cache_data(ttl=300, show_spinner=False, max_entries=32)
def filtered_reviews(
    _engine: object, url: str, products: tuple[str, ...], model_version: str | None, f: Filters
) -> pd.DataFrame:
    """Cached filter result (hashing the small `Filters` is cheaper than hashing the frame)."""
    return apply_filters(state.reviews(_engine, url, products, model_version), f)


@st.cache_data(ttl=300, show_spinner=False, max_entries=32)
def drivers_for(
    _engine: object, url: str, products: tuple[str, ...], model_version: str | None, f: Filters
) -> pd.DataFrame:
    """Drivers of the chosen products in the chosen dates. Label, star and text filters do not
    apply: drivers compare negative with positive reviews, and recomputing them on every keystroke
    of a search would cost seconds at 100k reviews.
    """
    from core.analytics import drivers

    frame = filtered_reviews(_engine, url, products, model_version, Filters(start=f.start, end=f.end))
    return drivers(frame, top=12)


def empty_state() -> None:
    """No reviews stored yet: say so and point to the three ways in."""
    st.info(t("products.empty"), icon=":material/inbox:")
    st.page_link("pages/overview.py", label=t("products.empty.sample"), icon=":material/dataset:")
    st.page_link("pages/upload.py", label=t("page.upload"), icon=":material/upload_file:")
    st.page_link("pages/scrape.py", label=t("page.scrape"), icon=":material/travel_explore:")


def clear_filters() -> None:
    """Callback: drop every filter widget's value so they come back at their defaults."""
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)
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
        labels=tuple(labels) if labels else charts.LABELS,
        min_stars=int(stars[0]),
        max_stars=int(stars[1]),
        search=search,
    )


def headline(frame: pd.DataFrame, products: list[str]) -> None:
    """Per product: reviews, negative and positive share, average stars."""
    lang = current_language()
    cols = st.columns(len(products))
    for col, product in zip(cols, products, strict=True):
        part = frame[frame["product"] == product]
        with col, st.container(border=True):
            st.markdown(f"**{product}**")
            inner = st.columns(3)
            inner[0].metric(t("col.reviews"), f"{len(part):,}")
            if len(part):
                shares = part["label"].value_counts(normalize=True)
                inner[1].metric(label_name("negative", lang), f"{shares.get('negative', 0):.0%}")
                inner[2].metric(label_name("positive", lang), f"{shares.get('positive', 0):.0%}")
            rated = part["rating"].dropna()
            if not rated.empty:
                st.caption(t("products.avg_stars", stars=f"{charts.rating_buckets(rated).mean():.1f}"))


def trend_section(frame: pd.DataFrame, products: list[str]) -> None:
    """Label shares over time per product, side by side; explains itself when there are no dates."""
    lang = current_language()
    st.subheader(t("products.trend"))
    dated = frame[frame["review_date"].notna()]
    if dated.empty:
        st.info(t("products.trend.no_dates"), icon=":material/event_busy:")
        return
    choice = st.segmented_control(
        t("products.trend.freq"),
        FREQUENCIES,
        default="auto",
        format_func=lambda v: t(f"products.freq.{v}"),
        key="trend_freq",
    )
    from core.analytics import auto_freq, trend

    freq = auto_freq(dated["review_date"]) if choice in (None, "auto") else choice
    undated = len(frame) - len(dated)
    if undated:
        st.caption(t("products.trend.undated", n=undated))
    cols = st.columns(len(products))
    for col, product in zip(cols, products, strict=True):
        part = dated[dated["product"] == product]
        with col:
            if part.empty:
                st.info(t("products.trend.no_dates_product", product=product), icon=":material/event_busy:")
                continue
            fig = charts.trend_chart(trend(part, freq=freq), lang)
            if len(products) > 1:
                fig.update_layout(title={"text": f"{fig.layout.title.text} · {charts.plain(product)}"})
            st.plotly_chart(fig, key=f"trend_{product}")


def rating_section(frame: pd.DataFrame) -> None:
    """Stars against predicted label, and the reviews where they disagree most."""
    from core.analytics import mismatches
    from core.queries import rating_label_crosstab

    lang = current_language()
    st.subheader(t("products.ratings"))
    if frame["rating"].isna().all():
        st.info(t("products.ratings.none"), icon=":material/star_outline:")
        return
    left, right = st.columns([2, 3])
    left.plotly_chart(charts.rating_heatmap(rating_label_crosstab(frame), lang), key="heatmap")
    with right:
        st.markdown(f"**{t('products.mismatches')}**")
        st.caption(t("products.mismatches.help"))
        table = mismatches(frame)
        if table.empty:
            st.success(t("products.mismatches.none"), icon=":material/check:")
        else:
            review_table(table.head(50), key="mismatch_table", height=300)


def drivers_section(
    engine: object, url: str, products: tuple[str, ...], version: str | None, f: Filters
) -> None:
    """Words and phrases over-represented in negative and in positive reviews; picking one
    filters the review table below.
    """
    lang = current_language()
    st.subheader(t("products.drivers"))
    st.caption(t("products.drivers.help"))
    table = drivers_for(engine, url, products, version, f)
    if table.empty:
        st.info(t("products.drivers.none"), icon=":material/info:")
        return
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.drivers_chart(table, lang), key="drivers")
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


def confidence_section(frame: pd.DataFrame) -> None:
    """How sure the model is, and the reviews it is least sure about, for a human look."""
    lang = current_language()
    st.subheader(t("products.confidence"))
    left, right = st.columns([2, 3])
    from core.analytics import confidence_histogram, low_confidence

    hist = confidence_histogram(frame, bins=20)
    left.plotly_chart(charts.confidence_histogram(hist, lang, threshold=LOW_CONFIDENCE), key="confidence")
    with right:
        low = low_confidence(frame, threshold=LOW_CONFIDENCE, limit=None)
        st.markdown(f"**{t('products.low_confidence', n=len(low), pct=f'{LOW_CONFIDENCE:.0%}')}**")
        if low.empty:
            st.success(t("products.low_confidence.none"), icon=":material/check:")
        else:
            review_table(low.head(50), key="low_conf_table", height=300)


def review_table(frame: pd.DataFrame, key: str, height: int | str = "auto") -> None:
    """Reviews with a label pill, probability bars, date and stars (text is shown as text, never HTML)."""
    lang = current_language()
    view = frame.assign(label=as_pills(frame["label"]), stars=charts.rating_buckets(frame["rating"]))
    if "mismatch" in view.columns:
        view["mismatch"] = view["mismatch"].map(
            lambda v: t(f"products.mismatch.{v.replace(' ', '_').replace(',', '')}")
        )
    columns = [
        "review_date", "product", "label", "mismatch", "text", "stars",
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
            "mismatch": st.column_config.TextColumn(t("products.mismatches")),
            "text": st.column_config.TextColumn(t("col.text"), width="large"),
            "stars": st.column_config.NumberColumn(t("col.stars"), format="%d ★"),
            **probability_columns(lang),
            "confidence": st.column_config.NumberColumn(t("col.confidence"), format="percent"),
            "title": st.column_config.TextColumn(t("col.title")),
            "author": st.column_config.TextColumn(t("col.author")),
        },
    )


def table_section(frame: pd.DataFrame) -> None:
    """The review table (newest first) with CSV and XLSX downloads of every filtered row."""
    from core.export import to_safe_csv, to_safe_xlsx

    st.subheader(t("products.reviews"))
    term = st.session_state.get(Keys.DRIVER_TERM)
    if term:
        cols = st.columns([4, 1])
        cols[0].info(t("products.term_filter", term=term), icon=":material/filter_alt:")
        cols[1].button(t("products.term_clear"), key="clear_term", on_click=clear_term)
    ordered = frame.sort_values("review_date", ascending=False, na_position="last")
    shown = ordered.head(TABLE_ROWS)
    st.caption(t("products.table.count", shown=len(shown), total=len(ordered)))
    review_table(shown, key="review_table", height=420)
    export = ordered.drop(columns=[c for c in ("review_id",) if c in ordered.columns])
    cols = st.columns([1, 1, 4])
    cols[0].download_button(
        t("products.download_csv"),
        data=lambda: to_safe_csv(export),
        file_name="reviews.csv",
        mime="text/csv",
        key="download_reviews_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    cols[1].download_button(
        t("products.download_xlsx"),
        data=lambda: to_safe_xlsx(export),
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
    default = [p for p in st.session_state[Keys.SELECTED_PRODUCTS] if p in names][:MAX_COMPARE] or names[:1]
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
    products = tuple(sorted(chosen))
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
    f = filter_bar(frame)
    base = filtered_reviews(engine, url, products, version, f)
    if base.empty:
        st.warning(t("products.no_match"), icon=":material/filter_alt_off:")
        st.button(t("products.clear_filters"), key="clear_filters", on_click=clear_filters)
        return
    headline(base, list(chosen))
    from core.analytics import label_shares

    st.plotly_chart(charts.distribution_chart(label_shares(base, by="product"), lang), key="distribution")
    trend_section(base, list(chosen))
    rating_section(base)
    drivers_section(engine, url, products, version, f)
    confidence_section(base)
    term = st.session_state.get(Keys.DRIVER_TERM)
    table_frame = apply_filters(base, Filters(term=term)) if term else base
    table_section(table_frame)


if __name__ in {"__main__", "__page__"}:
    main()
