"""Filters on an imported file's other columns (verified purchase, helpful votes, channel, region...).

Each review keeps those columns in ``reviews.extra`` (:func:`core.ingestion.rows.extra_values`). For
the chosen products' reviews, a column with few distinct values gets a multiselect and a numeric one
with more gets a range slider; :func:`filter_bar` returns what was narrowed as a hashable tuple (it
keys the Products page's caches, in :class:`dashboard.product_data.Filters`) and :func:`extra_mask`
turns it into a boolean mask.
"""

from __future__ import annotations

import hashlib
from typing import Any, TypeAlias

import pandas as pd
import streamlit as st

from dashboard.highlight import escape_markdown
from dashboard.i18n import t

KEY_PREFIX = "f_extra_"
MAX_CHOICES = 12  # more distinct values than this: a range if numeric, else no filter (ids, notes)
MAX_FILTERS = 12
# (column, "in", picked texts) or (column, "range", (low, high))
ExtraFilter: TypeAlias = tuple[str, str, tuple[Any, ...]]


def _as_text(value: object) -> str | None:
    return None if value is None else str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def extra_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """One extra column of `frame` (None where a review lacks it)."""
    if "extra" not in frame.columns:
        return pd.Series(None, index=frame.index, dtype=object)
    return frame["extra"].map(lambda extra: extra.get(column) if isinstance(extra, dict) else None)


def offered(frame: pd.DataFrame) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """{column: ("in", options) or ("range", (low, high))} for the extra columns worth a filter."""
    if "extra" not in frame.columns or not frame["extra"].map(bool).any():
        return {}
    keys = dict.fromkeys(k for extra in frame["extra"] if isinstance(extra, dict) for k in extra)
    out: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for column in list(keys)[:MAX_FILTERS]:
        values = extra_column(frame, column).dropna()
        texts = values.map(_as_text).unique()
        if 2 <= len(texts) <= MAX_CHOICES:
            numbers = values.map(_is_number).all()
            options = sorted(texts, key=lambda v: (float(v), v) if numbers else (0.0, v.casefold()))
            out[column] = ("in", tuple(options))
        elif len(texts) > MAX_CHOICES and values.map(_is_number).all():
            whole = values.map(lambda v: float(v).is_integer()).all()
            low, high = (int if whole else float)(values.min()), (int if whole else float)(values.max())
            out[column] = ("range", (low, high))
    return out


def filter_bar(frame: pd.DataFrame) -> tuple[ExtraFilter, ...]:
    """A folded row of filters, one per offered extra column of `frame`; returns those narrowed."""
    choices = offered(frame)
    if not choices:
        return ()
    picked: list[ExtraFilter] = []
    with st.expander(t("extra.filters", n=len(choices)), icon=":material/tune:"):
        st.caption(t("extra.filters_help"))
        cols = st.columns(min(len(choices), 4))
        for i, (column, (kind, domain)) in enumerate(choices.items()):
            label = escape_markdown(column)
            # other options (another product picked): a fresh widget, not a stale selection
            key = f"{KEY_PREFIX}{column}_{hashlib.md5(repr(domain).encode()).hexdigest()[:8]}"
            with cols[i % len(cols)]:
                if kind == "in":
                    chosen = st.multiselect(label, domain, key=key, placeholder=t("extra.any"))
                    if chosen:
                        picked.append((column, "in", tuple(chosen)))
                else:
                    low, high = domain
                    span = st.slider(label, low, high, value=(low, high), key=key)
                    if tuple(span) != (low, high):
                        picked.append((column, "range", tuple(span)))
    return tuple(picked)


def extra_mask(frame: pd.DataFrame, filters: tuple[ExtraFilter, ...]) -> pd.Series:
    """True for the reviews of `frame` that pass every extra filter (a review without the column
    does not pass a narrowed filter on it)."""
    mask = pd.Series(True, index=frame.index)
    for column, kind, values in filters:
        cells = extra_column(frame, column)
        if kind == "in":
            mask &= cells.map(_as_text).isin(values)
        else:
            numbers = pd.to_numeric(cells.where(cells.map(_is_number)), errors="coerce")
            mask &= numbers.between(values[0], values[1])
    return mask


def clear() -> None:
    """Drop every extra filter widget's value (the page's "Clear filters")."""
    for key in [k for k in st.session_state if str(k).startswith(KEY_PREFIX)]:
        del st.session_state[key]
