"""Products: compare products side by side, filter, and read every chart of their reviews.

The stored reviews of the chosen products are loaded once (cached) and every filter is applied
in pandas, so changing a filter re-renders in well under a second even at 100k reviews.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, cast

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.logs import log_event
from dashboard import aspect_section, charts, extra_filters, state
from dashboard.columns import as_pills, label_pill
from dashboard.downloads import spreadsheet_buttons
from dashboard.highlight import Span, escape_markdown, highlight_markdown
from dashboard.i18n import current_language, label_name, number, t
from dashboard.language_notes import other_language_counts, with_reading_notes, with_table_notes
from dashboard.product_data import (
    DRIVER_SAMPLE,
    FILTER_DEFAULTS,
    LOW_CONFIDENCE,
    MAX_COMPARE,
    MIN_RATED,
    SLIM_COLUMNS,
    SMALL_SAMPLE,
    Filters,
    TrendKey,
    apply_filters,
    comparison,
    date_bounds,
    derived,
    drivers_view,
    filtered_reviews,
    held_dates,
    low_agreement,
    opening_products,
    picked_labels,
    small_samples,
    trend_freq,
    trends,
)
from dashboard.state import Keys

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

TABLE_ROWS = 300  # rows sent to the browser (re-sent on every filter change); downloads carry all
FREQUENCIES = ("auto", "D", "W", "M")
FILTER_KEYS = ("driver_neg", "driver_pos", aspect_section.PICK_KEY)  # cleared; the filter bar's are reset
DATE_KEYS = ("f_from", "f_to")
BOUNDS_KEY = "f_bounds"  # (first, last) review day of the chosen products, for "Clear filters"


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
    """Callback (runs before the widgets render): put every filter widget back at its default, so the
    pills, search box, stars and dates show what the data shows, and drop the driver and aspect picks."""
    for key, value in FILTER_DEFAULTS.items():
        st.session_state[key] = list(value) if isinstance(value, list) else value
    bounds = st.session_state.get(BOUNDS_KEY)
    if bounds is not None:
        st.session_state["f_from"], st.session_state["f_to"] = bounds
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


def init_filter_state(frame: pd.DataFrame) -> tuple[date, date] | None:
    """Give the filter widgets their values in session state before they render (so none is given a
    default as well, and "Clear filters" can reset them): defaults once, and the date range kept
    across a product change, clipped to the new products' days."""
    for key, value in FILTER_DEFAULTS.items():
        # written back every run, not only once: a value written before the widget renders is sent
        # to the browser with it, so a widget drawn afresh (coming back from another page) shows the
        # value the filter applies instead of an empty default
        current = st.session_state.get(key, value)
        st.session_state[key] = list(current) if isinstance(current, list) else current
    bounds = date_bounds(frame)
    st.session_state[BOUNDS_KEY] = bounds
    if bounds is not None:
        before = st.session_state.get("f_from"), st.session_state.get("f_to")
        picked = before if None not in before else None
        st.session_state["f_from"], st.session_state["f_to"] = held_dates(picked, bounds)  # type: ignore[arg-type]
    return bounds


def filter_bar(frame: pd.DataFrame) -> Filters:
    """Date range (two single dates: a typed date applies on Enter), label, star and text filters
    above the charts, and "Clear filters"."""
    lang = current_language()
    bounds = init_filter_state(frame)
    # two rows: at 1000 px wide one row of five cut the dates ("2026") and the pills
    cols = [*st.columns(3), *st.columns([3, 2])]
    start = end = None
    if bounds is not None:
        lo, hi = bounds
        start = cols[0].date_input(t("products.date_from"), min_value=lo, max_value=hi, key="f_from")
        end = cols[1].date_input(t("products.date_to"), min_value=lo, max_value=hi, key="f_to")
        if start is not None and end is not None and start > end:
            start, end = end, start
    labels = cols[3].pills(
        t("products.labels"),
        charts.LABELS,
        selection_mode="multi",
        format_func=lambda v: label_name(v, lang),
        key="f_labels",
    )
    stars: tuple[int, int] = (1, 5)
    if frame["rating"].notna().any():
        # a range slider: its value comes from session state (FILTER_DEFAULTS), not an argument
        stars = cast(tuple[int, int], cols[2].slider(t("products.stars"), 1, 5, key="f_rating"))
    search = cols[4].text_input(t("products.search"), key="f_search", placeholder=t("products.search_hint"))
    st.button(
        t("products.clear_filters"),
        key="clear_filters",
        on_click=clear_filters,
        icon=":material/filter_alt_off:",
    )
    return Filters(
        start=start,
        end=end,
        labels=picked_labels(labels),
        min_stars=int(stars[0]),
        max_stars=int(stars[1]),
        search=search,
    )


def adapt_to(products: list[str]) -> None:
    """Open the Model page's adapt section with `products` chosen as the reviews to adapt on."""
    from dashboard.adapt_section import AdaptKeys

    st.session_state[AdaptKeys.SOURCE] = "products"
    st.session_state[AdaptKeys.PRODUCTS] = list(products)
    st.switch_page("views/model.py")


def site_rating(site: pd.DataFrame, product: str, lang: str) -> str:
    """The product page's own average rating ("4.3 ★ from 1,234 ratings"), blank when no scrape found one."""
    for page in site.loc[site["product"] == product].itertuples():
        count = next((int(c) for c in (page.ratings, page.reviews) if pd.notna(c) and c > 0), None)
        stars = f"{number(page.stars, lang, '.1f')} ★"
        if count is None:
            return stars
        return t("products.compare.site_count", stars=stars, n=number(count, lang))
    return ""


def comparison_section(frame: pd.DataFrame, f: Filters, site: pd.DataFrame) -> None:
    """Per product, one row of complete numbers (a table wraps instead of cutting "4…"): reviews,
    label shares, average stars, change of the negative share against the previous period, and how
    often the labels agree with the stars; a banner offers adapting when they agree too rarely."""
    from core.analytics import LOW_AGREEMENT

    lang = current_language()
    table = comparison(frame, f)
    low = f"{number(LOW_AGREEMENT * 100, lang, '.0f')} %"

    def pct(value: float) -> str:
        return "" if pd.isna(value) else f"{number(value * 100, lang, '.0f')} %"

    rows = {
        t("col.product"): [escape_markdown(str(p)) for p in table["product"]],
        t("col.reviews"): [number(int(n), lang) for n in table["reviews"]],
        **{label_name(label, lang): [pct(v) for v in table[label]] for label in charts.LABELS},
        t("products.compare.stars"): [
            "" if pd.isna(v) else f"{number(v, lang, '.1f')} ★" for v in table["stars"]
        ],
        t("products.compare.change"): [
            "" if pd.isna(v) else f"{number(v * 100, lang, '+.1f')} pp" for v in table["change"]
        ],
        t("products.compare.agreement"): [
            "" if pd.isna(a) else t("products.compare.agreement_of", pct=pct(a), n=number(int(r), lang))
            for a, r in zip(table["agreement"], table["rated"], strict=True)
        ],
    }
    ratings = [site_rating(site, str(p), lang) for p in table["product"]]
    if any(ratings):
        rows[t("products.compare.site")] = ratings
    st.table(pd.DataFrame(rows), hide_index=True)
    st.caption(t("products.compare.help", low=low, n=MIN_RATED))
    flagged = low_agreement(table, LOW_AGREEMENT)
    if flagged:
        names = ", ".join(escape_markdown(p) for p in flagged)
        st.warning(t("products.agreement.low", products=names, low=low), icon=":material/rule:")
        if st.button(
            t("products.agreement.adapt"), key="adapt_low", type="primary", icon=":material/model_training:"
        ):
            adapt_to(flagged)


def trend_section(slim: pd.DataFrame, products: list[str], key: TrendKey) -> None:
    """Label shares over time: one chart for one product, ONE overlaid chart (a share at a time) for
    several; says when reviews have no dates, and warns when a product has too few to trust a trend.

    :param key: (filtered frame, url, products, version, filters, lang, data version): the
        arguments of :func:`trends` before the frequency.
    """
    lang = current_language()
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
    shown = "all"
    if len(products) > 1:
        shown = st.segmented_control(
            t("products.trend.share_of"), charts.LABELS, default="negative",
            format_func=lambda v: label_name(v, lang), key="trend_label",
        ) or "negative"  # fmt: skip
    if undated:
        st.caption(t("products.trend.undated", n=undated))
    few = small_samples(slim, products)
    if few:
        named = ", ".join(f"{escape_markdown(p)} ({number(n, lang)})" for p, n in few.items())
        st.warning(t("products.trend.small", products=named, n=SMALL_SAMPLE), icon=":material/scatter_plot:")
    figures = trends(*key, freq)
    for product in products:
        if not slim.loc[slim["product"] == product, "review_date"].notna().any():
            st.info(
                t("products.trend.no_dates_product", product=escape_markdown(product)),
                icon=":material/event_busy:",
            )
    if shown in figures:
        st.plotly_chart(figures[shown], key="trend")
    st.caption(t("products.trend.lines"))


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


TABLE_COLUMNS = [
    "review_date", "product", "label", "note", "mismatch", "title", "text", "stars",
    "negative", "neutral", "positive", "confidence", "author",
]  # fmt: skip
PERCENT_COLUMNS = [*charts.LABELS, "confidence"]


def table_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The review table's cells: stars 1–5, probabilities and confidence as whole percentages
    (0–100), blank text where a review has no title or author, title beside the text."""
    stars = charts.rating_buckets(frame["rating"]).astype("Int64")  # blank, not "None", when unrated
    # "Spanish: the active model reads English; ..." beside the label, where a review needs it
    view = with_table_notes(frame.assign(stars=stars))
    for column in ("title", "author", "text"):
        if column in view.columns:
            view[column] = view[column].fillna("").astype(str)
    for column in PERCENT_COLUMNS:
        if column in view.columns:
            view[column] = (view[column].astype(float) * 100).round()
    return view[[c for c in TABLE_COLUMNS if c in view.columns]]


def export_view(frame: pd.DataFrame) -> pd.DataFrame:
    """What the CSV/XLSX downloads hold: every stored column but the internal ids, with the rating
    as 1–5 stars (the 0–1 normalised value is internal) next to the rating as it was imported."""
    out = frame.drop(columns=[c for c in ("review_id", "import_id") if c in frame.columns])
    if "rating" in out.columns:
        out = out.assign(rating=charts.rating_buckets(out["rating"]).astype("Int64")).rename(
            columns={"rating": "stars"}
        )
    return out


def review_table(
    frame: pd.DataFrame, key: str, height: int | Literal["auto"] = "auto", selectable: bool = False
) -> int | None:
    """Reviews with a label pill, probability bars, date and stars (text is shown as text, never HTML);
    with `selectable`, a row can be picked, and its position in `frame` is returned."""
    lang = current_language()
    view = table_view(frame).assign(label=lambda v: as_pills(v["label"]))
    if "mismatch" in view.columns:
        view["mismatch"] = view["mismatch"].map(
            lambda v: t(f"products.mismatch.{v.replace(' ', '_').replace(',', '')}")
        )
    percent = {
        label: st.column_config.ProgressColumn(
            label_name(label, lang), min_value=0, max_value=100, format="%d %%", color=charts.COLORS[label]
        )
        for label in charts.LABELS
    }
    event = st.dataframe(
        view,
        key=key,
        hide_index=True,
        height=height,
        on_select="rerun" if selectable else "ignore",
        selection_mode="single-row",
        column_config={
            "review_date": st.column_config.DateColumn(t("col.date"), format="YYYY-MM-DD"),
            "product": st.column_config.TextColumn(t("col.product")),
            "label": label_pill(lang),
            "note": st.column_config.TextColumn(t("col.language_note")),
            "mismatch": st.column_config.TextColumn(t("products.mismatches")),
            "title": st.column_config.TextColumn(t("col.title"), width="small"),
            "text": st.column_config.TextColumn(t("col.text"), width="large"),
            "stars": st.column_config.NumberColumn(t("col.stars"), format="%d ★"),
            **percent,
            "confidence": st.column_config.NumberColumn(t("col.confidence"), format="%d %%"),
            "author": st.column_config.TextColumn(t("col.author")),
        },
    )
    rows = event.selection.rows if selectable and not isinstance(event, DeltaGenerator) else []
    return int(rows[0]) if rows else None


def review_detail(row: pd.Series) -> None:
    """One review in full (title, wrapped text, stars, label, probabilities) and why the active model
    reads it so: its words coloured by their push, as on the Analyze page."""
    from core.inference.explain import explain

    lang = current_language()
    with st.container(border=True):
        st.markdown(f"**{t('products.detail')}** · {t('products.detail_help')}")
        if isinstance(row.get("title"), str) and row["title"].strip():
            st.markdown(f"**{escape_markdown(row['title'])}**")
        facts = [label_name(str(row["label"]), lang)]
        stars = charts.rating_buckets(pd.Series([row.get("rating")])).iloc[0]
        if pd.notna(stars):
            facts.append(f"{int(stars)} ★")
        facts += [f"{label_name(label, lang)} {number(float(row[label]) * 100, lang, '.0f')} %"
                  for label in charts.LABELS if pd.notna(row.get(label))]  # fmt: skip
        st.caption(" · ".join(facts))
        text = str(row["text"])
        problem = state.model_problem()
        spans = [] if problem else explain(state.predictor(), text)
        if spans:
            st.markdown(highlight_markdown(text, [Span(c.start, c.end, c.weight) for c in spans]))
            st.caption(t("analyze.why_help"))
        else:
            st.text(text)


def table_section(frame: pd.DataFrame, aspect: str | None = None) -> None:
    """The review table (newest first) with CSV and XLSX downloads of every filtered row; `aspect`:
    the aspect whose mentions it is narrowed to, if any."""
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
    st.caption(t("products.table.count", shown=len(shown), total=len(frame)) + " " + t("products.table.pick"))
    picked = review_table(shown, key="review_table", height=420, selectable=True)
    if picked is not None and picked < len(shown):
        review_detail(shown.iloc[picked])

    def export() -> pd.DataFrame:
        return with_reading_notes(export_view(frame.loc[newest]), state.predictor().language)

    labels = (t("products.download_csv"), t("products.download_xlsx"))
    spreadsheet_buttons(st.columns([1, 1, 4]), export, "reviews", "download_reviews", labels)


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
        return
    # Charts need five narrow columns; selecting rows of those is far cheaper than of the text.
    slim = base[SLIM_COLUMNS]
    # `base` is passed unhashed (the underscore argument); (url, products, version, f) is the key
    key = (base, url, products, version, f, lang, state.data_version())
    d = derived(*key)
    comparison_section(frame, f, state.site_ratings(engine, url))
    st.plotly_chart(d["distribution"], key="distribution")
    other_language_counts(base, list(products))
    trend_section(slim, list(products), key)
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
