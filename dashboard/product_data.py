"""The Products page's data: its filters, and the cached frames and figures it draws from.

A module of its own (not the page file) so the Upload page can fill the same caches right after an
import (:func:`warm`): Streamlit runs page files as ``__main__``, and a cached function's key
includes its module, so only functions defined in an imported module are shared between pages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.logs import log_event
from dashboard import charts, state
from dashboard.extra_filters import ExtraFilter, extra_mask

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

MAX_COMPARE = 4  # products compared at once: the comparison table and the overlaid trend stay readable
LOW_CONFIDENCE = 0.55
DRIVER_SAMPLE = 10_000  # reviews per side (negative / positive) read to find drivers
SLIM_COLUMNS = ["product", "label", "review_date", "rating", "confidence"]


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
    extra: tuple[ExtraFilter, ...] = ()  # on the imported file's other columns (extra_filters)


# What the Products page's derived caches are keyed on: (filtered frame, url, products, model version,
# filters, language, data version), in the order :func:`trends` takes them.
TrendKey: TypeAlias = tuple[pd.DataFrame, str, tuple[str, ...], str | None, Filters, str, int]


def apply_filters(frame: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The reviews matching `f` (the frame itself when nothing is filtered out).

    A date range keeps undated reviews (there is no date to exclude them by; the trend leaves them
    out and says so); a narrowed star range drops unrated reviews.
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
    if f.extra:
        mask &= extra_mask(frame, f.extra)
    return frame if mask.all() else frame.loc[mask]


def picked_labels(picked: list[str] | None) -> tuple[str, ...]:
    """The label filter for the labels picked in the pills: in canonical order (the pills return
    click order, and the caches key on this tuple), every label when none is picked.
    """
    return tuple(label for label in charts.LABELS if label in picked) if picked else charts.LABELS


def filtered_reviews(
    _engine: Engine, url: str, products: tuple[str, ...], model_version: str | None, f: Filters
) -> pd.DataFrame:
    """The chosen products' reviews narrowed by `f` (pandas: ~50 ms at 100k reviews, no cache needed)."""
    return apply_filters(state.reviews(_engine, url, products, model_version), f)


# The caches below hold figures and frames that pages only read: `st.cache_resource` shares them
# without the copy `st.cache_data` makes on every hit (a rebuilt Plotly figure costs ~0.1 s).
# Each key has `data_version`, bumped by `state.invalidate()` after any write, so an import or a
# crawl never shows stale charts; `lang` is in the key because figures carry translated text.


@st.cache_resource(ttl=300, show_spinner=False, max_entries=32)
def drivers_view(
    _engine: Engine,
    url: str,
    products: tuple[str, ...],
    model_version: str | None,
    start: date | None,
    end: date | None,
    lang: str,
    data_version: int,
) -> tuple[pd.DataFrame, go.Figure]:
    """Drivers of the chosen products in the chosen dates, and their chart. Label, star and text
    filters do not apply (and are not in the key): drivers compare negative with positive reviews,
    and recomputing them on every keystroke of a search would cost seconds at 100k reviews.
    """
    from core.analytics import drivers

    frame = filtered_reviews(_engine, url, products, model_version, Filters(start=start, end=end))
    # A fixed random sample per side keeps the first render of a 100k-review product short; the
    # top terms of 10,000 reviews are the same words as those of 100,000.
    table = drivers(frame, top=12, max_reviews=DRIVER_SAMPLE)
    return table, charts.drivers_chart(table, lang)


@st.cache_resource(ttl=300, show_spinner=False, max_entries=32)
def derived(
    _base: pd.DataFrame,
    url: str,
    products: tuple[str, ...],
    model_version: str | None,
    f: Filters,
    lang: str,
    data_version: int,
) -> dict[str, Any]:
    """Every aggregate and chart of one filter state, from the five narrow columns.

    Going back to a previous filter state is instant; row lists keep only the index of the first
    50 rows, joined to the texts when shown.
    """
    from core.analytics import confidence_histogram, label_shares, low_confidence, mismatches
    from core.storage.queries import rating_label_crosstab

    slim = _base[SLIM_COLUMNS]
    rated = bool(slim["rating"].notna().any())
    low = low_confidence(slim.assign(row=slim.index), threshold=LOW_CONFIDENCE, limit=None)
    crosstab = rating_label_crosstab(slim) if rated else None
    return {
        "distribution": charts.distribution_chart(label_shares(slim, by="product"), lang),
        "heatmap": charts.rating_heatmap(crosstab, lang) if rated else None,
        "mismatches": mismatches(slim.assign(row=slim.index)).head(50) if rated else None,
        "confidence": charts.confidence_histogram(
            confidence_histogram(slim, bins=20), lang, threshold=LOW_CONFIDENCE
        ),
        "low": low.head(50),
        "low_count": len(low),
    }


@st.cache_resource(ttl=300, show_spinner=False, max_entries=32)
def trends(
    _base: pd.DataFrame,
    url: str,
    products: tuple[str, ...],
    model_version: str | None,
    f: Filters,
    lang: str,
    data_version: int,
    freq: str,
) -> dict[str, go.Figure]:
    """The trend chart (`core.analytics.trend`) of one product, or one overlaid chart per label when
    several are compared (keyed by label), with the model-change marks; empty without dated reviews."""
    from core.analytics import trend

    slim = _base[SLIM_COLUMNS]
    dated = slim[slim["review_date"].notna()]
    if dated.empty:
        return {}
    marks = state.activation_marks()
    if len(products) == 1:
        return {"all": charts.trend_chart(trend(dated, freq=freq), lang, marks=marks)}
    table = trend(dated, freq=freq, by_product=True)
    return {label: charts.comparison_trend_chart(table, label, lang, marks=marks) for label in charts.LABELS}


def default_filters(frame: pd.DataFrame) -> Filters:
    """The filters the Products page opens with on `frame`: its whole date span, nothing else narrowed."""
    dates = frame["review_date"].dropna()
    if dates.empty:
        return Filters()
    return Filters(start=dates.min().date(), end=dates.max().date())


def trend_freq(slim: pd.DataFrame) -> str:
    """The frequency the trend chart picks by itself ("auto"): by the date span, and longer periods
    when a product has few reviews per period (`core.analytics.trend_freq_for`)."""
    from core.analytics import trend_freq_for

    return trend_freq_for(slim)


# --- issue 17: comparison table, small samples, filter widgets that reset and hold ---

SMALL_SAMPLE = 30  # fewer reviews than this in the range: shares swing by chance, and the page says so
MIN_RATED = 10  # rated reviews a product needs before its agreement with the stars can flag it
FILTER_DEFAULTS: dict[str, Any] = {
    "f_labels": list(charts.LABELS),
    "f_rating": (1, 5),
    "f_search": "",
}


def previous_filters(f: Filters) -> Filters | None:
    """The same filters over the equally long period just before `f`'s date range (None without one)."""
    if f.start is None or f.end is None:
        return None
    days = (f.end - f.start).days + 1
    end = f.start - timedelta(days=1)
    return replace(f, start=end - timedelta(days=days - 1), end=end)


def comparison(frame: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """`core.analytics.product_comparison` of the products in `frame` (all their reviews) under `f`:
    the change is against the period before the range, the agreement is over the date range alone."""
    from core.analytics import product_comparison

    before = previous_filters(f)
    previous = apply_filters(frame, before) if before else frame.iloc[:0]
    if before is not None:  # apply_filters keeps undated reviews in a range; a previous period has none
        previous = previous[previous["review_date"].notna()]
    dates_only = apply_filters(frame, Filters(start=f.start, end=f.end))
    return product_comparison(apply_filters(frame, f), previous, agreement_of=dates_only)


def low_agreement(table: pd.DataFrame, low: float, min_rated: int = MIN_RATED) -> list[str]:
    """Products of a :func:`comparison` table whose labels agree with their stars less than `low`,
    among those with at least `min_rated` rated reviews."""
    flagged = table[(table["rated"] >= min_rated) & (table["agreement"] < low)]
    return flagged["product"].astype(str).tolist()


def small_samples(slim: pd.DataFrame, products: list[str], least: int = SMALL_SAMPLE) -> dict[str, int]:
    """The chosen products with fewer than `least` reviews in `slim`, with their counts."""
    counts = slim["product"].value_counts()
    return {p: int(counts.get(p, 0)) for p in products if counts.get(p, 0) < least}


def date_bounds(frame: pd.DataFrame) -> tuple[date, date] | None:
    """The first and last review day of `frame`, or None when no review has a date."""
    dates = frame["review_date"].dropna()
    return None if dates.empty else (dates.min().date(), dates.max().date())


def held_dates(picked: tuple[date, date] | None, bounds: tuple[date, date]) -> tuple[date, date]:
    """The date range to show for products spanning `bounds`, given the range picked before (kept
    across a product change, clipped to the new products' days; their whole span when it misses them)."""
    if picked is None:
        return bounds
    start, end = max(picked[0], bounds[0]), min(picked[1], bounds[1])
    return (start, end) if start <= end else bounds


def opening_products(names: list[str]) -> tuple[str, ...]:
    """The products the Products page compares when `names` were selected (at most four, sorted)."""
    return tuple(sorted(names[:MAX_COMPARE]))


def warm(engine: Engine, url: str, products: tuple[str, ...], lang: str, data_version: int) -> None:
    """Compute what the Products page first shows for `products` (:func:`opening_products`) into the
    shared caches.

    Called in a background thread by the Upload page once an import has finished, so opening the
    imported product's charts finds its reviews, drivers and figures ready (or being computed: a
    cached function waits for a computation already running with the same key). Nothing is shown;
    a failure only means the page computes them itself.
    """
    started = time.perf_counter()
    try:
        # NLTK's lazy stopword loading is not thread-safe: let the app's warm-up finish it first
        state.warm_up().join()
        state.product_summary(engine, url)  # the page's first two queries, cleared by the import too
        state.model_versions(engine, url)
        frame = state.reviews(engine, url, products, None)
        f = default_filters(frame)
        base = apply_filters(frame, f)
        if base.empty:
            return
        key = (base, url, products, None, f, lang, data_version)
        derived(*key)
        drivers_view(engine, url, products, None, f.start, f.end, lang, data_version)
        slim = base[SLIM_COLUMNS]
        if slim["review_date"].notna().any():
            trends(*key, trend_freq(slim))
        log_event("products_warm", products=len(products), seconds=round(time.perf_counter() - started, 3))
    except Exception as exc:  # only a head start: the page computes whatever is missing
        log_event("products_warm_failed", error=f"{type(exc).__name__}: {exc}")
