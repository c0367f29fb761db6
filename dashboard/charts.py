"""Plotly figure builders for the dashboard: pure functions from small frames to figures.

No Streamlit here, so every chart is testable on a hand-made frame. Each builder gives its
figure a title, axis titles, hover details and the shared label colours, and returns a
figure with no traces plus a centred note when its input is empty (pages show their own
empty-state message; the note is a safety net, not the design).

Text on figures comes from `dashboard.i18n.translate` in the caller's language. User text
never reaches a figure except driver terms, which are escaped with :func:`plain`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import MONTHS, label_name, number, translate

LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
# Colour-blind-safe enough with the labels always named; red/grey/green is what analysts expect.
COLORS: dict[str, str] = {"negative": "#d62728", "neutral": "#8c8c8c", "positive": "#2ca02c"}
VOLUME_COLOR = "#c7d2e0"
# No Plotly template: st.plotly_chart applies the app's theme, and setting one costs a deep copy
# (~0.2 s) per figure.


def plain(text: object) -> str:
    """Make `text` inert for Plotly, which reads a few HTML-like tags (`<b>`, `<a href>`) in
    labels: entities are escaped so a term shows exactly as written and never becomes markup.
    """
    return html.escape(str(text), quote=False)


def _base(
    fig: go.Figure,
    title: str,
    x_title: str | None = None,
    y_title: str | None = None,
    lang: str = "en",
    **layout: Any,
) -> go.Figure:
    """Title, margins, legend and axis titles plus any `layout` keys, in ONE layout update: each
    Plotly update re-validates, and separate calls cost ~0.1 s per page at 100k reviews. Numbers
    follow `lang` (Spanish: 1.448 and 3,7).
    """
    xaxis = dict(layout.pop("xaxis", {}))
    yaxis = dict(layout.pop("yaxis", {}))
    if x_title is not None:
        xaxis["title"] = {"text": x_title}
    if y_title is not None:
        yaxis["title"] = {"text": y_title}
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "right",
            "x": 1,
            "traceorder": "normal",  # stacked bars would otherwise list Positive first
        },
        hoverlabel={"namelength": -1},
        separators=",." if lang == "es" else ".,",
        xaxis=xaxis,
        yaxis=yaxis,
        **layout,
    )
    return fig


def date_ticks(periods: Sequence[Any], lang: str, most: int = 8) -> dict[str, Any]:
    """Tick values and texts for a date axis in `lang`: at most `most` evenly spaced periods, named
    "15 mar 2024" (days and weeks) or "mar 2024" (months). Plotly names months in English only, so
    every language gets its ticks written here.
    """
    stamps = sorted({pd.Timestamp(p) for p in periods})
    if not stamps:
        return {}
    step = max(1, -(-len(stamps) // most))
    chosen = stamps[::step]
    monthly = all(s.day == 1 for s in stamps) and len(stamps) > 1
    names = MONTHS[lang] if lang in MONTHS else MONTHS["en"]
    texts = [f"{names[s.month - 1]} {s.year}" if monthly else f"{s.day} {names[s.month - 1]} {s.year}"
             for s in chosen]  # fmt: skip
    return {"tickmode": "array", "tickvals": chosen, "ticktext": texts}


def empty_figure(title: str, message: str) -> go.Figure:
    """A figure with no traces and `message` in the middle: what every builder returns for no data."""
    note = {"text": plain(message), "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper"}
    return _base(
        go.Figure(),
        title,
        annotations=[{**note, "font": {"size": 14}}],
        xaxis={"visible": False},
        yaxis={"visible": False},
    )


def distribution_chart(
    shares: pd.DataFrame, lang: str = "en", show_counts: bool = False, sort: str = "product"
) -> go.Figure:
    """Stacked horizontal bars: share of each label per product, with counts on hover.

    :param shares: `core.analytics.label_shares(frame, by="product")`: product, label, count, share.
    :param show_counts: name each bar with its number of reviews ("Kettle K1 · 30").
    :param sort: "product" (by name, as given) or "negative" (highest negative share at the top).
    """
    title = translate("chart.distribution.title", lang)
    if shares.empty or shares["count"].sum() == 0:
        return empty_figure(title, translate("chart.no_data", lang))
    counts = (
        shares.pivot_table(index="product", columns="label", values="count", aggfunc="sum", sort=False)
        .reindex(columns=list(LABELS))
        .fillna(0)
        .astype(int)
    )
    totals = counts.sum(axis=1)
    share = counts.div(totals.where(totals > 0), axis=0).fillna(0.0)
    if sort == "negative":
        order = share.sort_values(["negative", "neutral"], ascending=False, kind="stable").index
        counts, totals, share = counts.loc[order], totals.loc[order], share.loc[order]
    products = [plain(p) for p in counts.index]
    if show_counts:
        products = [f"{name} · {number(n, lang)}" for name, n in zip(products, totals, strict=True)]
    traces = []
    for label in LABELS:
        name = label_name(label, lang)
        traces.append(
            go.Bar(
                y=products,
                x=share[label].to_numpy(),
                orientation="h",
                name=name,
                marker_color=COLORS[label],
                customdata=np.stack([counts[label].to_numpy(), totals.to_numpy()], axis=-1),
                text=[f"{v:.0%}" if v >= 0.04 else "" for v in share[label]],
                textposition="inside",
                hovertemplate="%{y}<br>"
                + name
                + ": %{x:.1%} (%{customdata[0]:,} / %{customdata[1]:,})<extra></extra>",
            )
        )
    return _base(
        go.Figure(data=traces),
        title,
        translate("chart.axis.share_of_reviews", lang),
        translate("chart.axis.product_reviews" if show_counts else "chart.axis.product", lang),
        lang,
        barmode="stack",
        height=max(220, 110 + 45 * len(products)),
        xaxis={"tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed"},
    )


def trend_chart(
    table: pd.DataFrame, lang: str = "en", marks: Sequence[tuple[datetime, str]] = ()
) -> go.Figure:
    """Share of each label per period (thin lines), their volume-weighted rolling average (thick
    lines) and the review volume (bars, lower panel), so a dip on three reviews does not read like
    one on three hundred.

    :param table: `core.analytics.trend(frame)`: period, label, count, volume, share, rolling_share
        (the window is read from ``table.attrs["window"]`` when present).
    :param marks: (when, model version) of each change of the active model
        (`core.inference.registry.activation_history`): a dotted vertical line with the version's
        name, drawn when it falls within the periods shown.
    """
    title = translate("chart.trend.title", lang)
    if table.empty:
        return empty_figure(title, translate("chart.trend.no_dates", lang))
    window = int(table.attrs.get("window", 1) or 1)
    volume = table.groupby("period", sort=True)["volume"].first()
    traces: list[go.BaseTraceType] = []
    for label in LABELS:
        name = label_name(label, lang)
        part = table.loc[table["label"] == label].sort_values("period")
        traces.append(
            go.Scatter(
                x=part["period"],
                y=part["share"],
                mode="lines+markers",
                name=name,
                legendgroup=label,
                line={"color": COLORS[label], "width": 1},
                marker={"size": 4},
                opacity=0.45,
                customdata=np.stack([part["count"].to_numpy(), part["volume"].to_numpy()], axis=-1),
                hovertemplate=(
                    "%{x|%Y-%m-%d}<br>" + name + ": %{y:.1%} (%{customdata[0]:,} / %{customdata[1]:,})"
                    "<extra></extra>"
                ),
            )
        )
        avg_name = f"{name} · {translate('chart.trend.rolling', lang, n=window)}"
        traces.append(
            go.Scatter(
                x=part["period"],
                y=part["rolling_share"],
                mode="lines",
                name=avg_name,
                legendgroup=label,
                showlegend=False,
                line={"color": COLORS[label], "width": 3},
                hovertemplate="%{x|%Y-%m-%d}<br>" + avg_name + ": %{y:.1%}<extra></extra>",
            )
        )
    reviews = translate("chart.axis.reviews", lang)
    traces.append(
        go.Bar(
            x=volume.index,
            y=volume.to_numpy(),
            name=reviews,
            marker_color=VOLUME_COLOR,
            showlegend=False,
            hovertemplate="%{x|%Y-%m-%d}<br>" + reviews + ": %{y:,}<extra></extra>",
        )
    )
    # Two panels on one x axis, laid out by hand: make_subplots costs ~0.2 s per chart.
    traces[-1].update(yaxis="y2")
    traces.extend(_line_key(window, lang))
    return _two_panels(traces, title, volume.index, marks, lang, str(table.attrs.get("freq", "D")))


def comparison_trend_chart(
    table: pd.DataFrame, label: str = "negative", lang: str = "en", marks: Sequence[tuple[datetime, str]] = ()
) -> go.Figure:
    """Several products on ONE trend: the share of `label` per period (thin lines) and its
    volume-weighted rolling average (thick lines), one colour per product, with each product's
    review volume as grouped bars in the lower panel. The legend sits below the plot, so long
    product names wrap there instead of over the title.

    :param table: `core.analytics.trend(frame, by_product=True)`.
    """
    name = label_name(label, lang)
    title = translate("chart.compare_trend.title", lang, label=name)
    if table.empty:
        return empty_figure(title, translate("chart.trend.no_dates", lang))
    window = int(table.attrs.get("window", 1) or 1)
    part = table.loc[table["label"] == label].sort_values(["product", "period"])
    traces: list[go.BaseTraceType] = []
    for i, (product, rows) in enumerate(part.groupby("product", sort=True)):
        colour = PRODUCT_COLORS[i % len(PRODUCT_COLORS)]
        shown = plain(product)
        counts = np.stack([rows["count"].to_numpy(), rows["volume"].to_numpy()], axis=-1)
        traces.append(
            go.Scatter(
                x=rows["period"], y=rows["share"], mode="lines+markers", name=shown, legendgroup=shown,
                showlegend=False, line={"color": colour, "width": 1}, marker={"size": 4}, opacity=0.4,
                customdata=counts,
                hovertemplate="%{x|%Y-%m-%d}<br>" + shown + " · " + name
                + ": %{y:.1%} (%{customdata[0]:,} / %{customdata[1]:,})<extra></extra>",
            )
        )  # fmt: skip
        traces.append(
            go.Scatter(
                x=rows["period"], y=rows["rolling_share"], mode="lines", name=shown, legendgroup=shown,
                line={"color": colour, "width": 3},
                hovertemplate="%{x|%Y-%m-%d}<br>" + shown + " · "
                + translate("chart.trend.rolling", lang, n=window) + ": %{y:.1%}<extra></extra>",
            )
        )  # fmt: skip
        traces.append(
            go.Bar(
                x=rows["period"], y=rows["volume"], name=shown, legendgroup=shown, showlegend=False,
                marker_color=colour, opacity=0.6, yaxis="y2",
                hovertemplate="%{x|%Y-%m-%d}<br>" + shown + ": %{y:,}<extra></extra>",
            )
        )  # fmt: skip
    traces.extend(_line_key(window, lang))
    periods = pd.Index(sorted(part["period"].unique()))
    figure = _two_panels(traces, title, periods, marks, lang, str(table.attrs.get("freq", "D")))
    figure.update_layout(barmode="group")
    return figure


PRODUCT_COLORS = ("#1f77b4", "#ff7f0e", "#9467bd", "#17becf")  # not the label colours: a product is no label
HALF_PERIOD = {"D": pd.Timedelta(hours=12), "W": pd.Timedelta(days=3.5), "M": pd.Timedelta(days=15)}


def _line_key(window: int, lang: str) -> list[go.Scatter]:
    """Two legend-only entries saying what the thin and the thick lines are."""
    return [
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            name=translate(key, lang, n=window),
            hoverinfo="skip",
            line={"color": "#777", "width": width},
            legendgroup=f"key-{width}",
        )
        for key, width in (("chart.trend.thin", 1), ("chart.trend.thick", 3))
    ]


def _two_panels(
    traces: list[go.BaseTraceType],
    title: str,
    periods: pd.Index,
    marks: Sequence[tuple[datetime, str]],
    lang: str,
    freq: str,
) -> go.Figure:
    """Shares above, review volume below, on one date axis with translated ticks and the model-change
    marks; the legend below the plot. A single period gets a range around it: Plotly would otherwise
    zoom into a fraction of a second ("23:59:59.9995" ticks)."""
    shapes, notes = _activation_marks(marks, periods, lang)
    xaxis: dict[str, Any] = {
        "anchor": "y2",
        "title": {"text": translate("chart.axis.period", lang)},
        **date_ticks(periods, lang),
    }
    if len(periods) == 1:
        only, half = pd.Timestamp(periods[0]), HALF_PERIOD.get(freq, HALF_PERIOD["D"])
        xaxis["range"] = [only - half, only + half]
    figure = _base(
        go.Figure(data=traces),
        title,
        None,
        None,
        lang,
        height=480,
        shapes=shapes,
        annotations=notes,
        xaxis=xaxis,
        yaxis={
            "domain": [0.34, 1.0],
            "title": {"text": translate("chart.axis.share", lang)},
            "tickformat": ".0%",
            "range": [0, 1],
        },
        yaxis2={"domain": [0.0, 0.26], "title": {"text": translate("chart.axis.reviews", lang)}},
    )
    figure.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return figure


def _activation_marks(
    marks: Sequence[tuple[datetime, str]], periods: pd.Index, lang: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Vertical lines and labels for the model changes that fall within `periods`."""
    if not len(periods):
        return [], []
    first, last = pd.Timestamp(periods.min()), pd.Timestamp(periods.max())
    shapes, notes = [], []
    for when, version in marks:
        x = pd.Timestamp(when).tz_localize(None) if pd.Timestamp(when).tzinfo else pd.Timestamp(when)
        if not first <= x <= last + pd.Timedelta(days=31):
            continue
        line = {"dash": "dot", "color": "#555", "width": 1}
        shapes.append({"type": "line", "x0": x, "x1": x, "yref": "paper", "y0": 0, "y1": 1, "line": line})
        text = plain(translate("chart.trend.model_change", lang, version=version))
        notes.append(
            {"x": x, "y": 1.0, "yref": "paper", "text": text, "showarrow": False, "xanchor": "left",
             "yanchor": "top", "font": {"size": 10, "color": "#555"}, "bgcolor": "rgba(255,255,255,0.7)"}
        )  # fmt: skip
    return shapes, notes


def rating_buckets(rating: pd.Series) -> pd.Series:
    """Normalised 0–1 ratings as 1–5 stars, the way `core.storage.queries.rating_label_crosstab` maps them
    (round half up), NaN kept.
    """
    return np.floor(rating.astype(float).clip(0, 1) * 4 + 0.5) + 1


def rating_heatmap(crosstab: pd.DataFrame, lang: str = "en") -> go.Figure:
    """Stars (rows) against predicted label (columns): counts, with the row share on hover.

    Agreement sits on the diagonal corners; high stars with negative text are where sarcasm and
    mislabelled data hide.

    :param crosstab: `core.storage.queries.rating_label_crosstab(frame)`: index stars 1–5, a column per label.
    """
    title = translate("chart.heatmap.title", lang)
    if crosstab.empty or int(crosstab.to_numpy().sum()) == 0:
        return empty_figure(title, translate("chart.heatmap.no_ratings", lang))
    table = crosstab.reindex(index=[1, 2, 3, 4, 5], columns=list(LABELS), fill_value=0).fillna(0).astype(int)
    row_share = table.div(table.sum(axis=1).where(lambda v: v > 0), axis=0).fillna(0.0)
    fig = go.Figure(
        go.Heatmap(
            z=table.to_numpy(),
            x=[label_name(label, lang) for label in LABELS],
            y=[f"{s}★" for s in table.index],
            colorscale="Blues",
            text=table.to_numpy(),
            texttemplate="%{text:,}",
            customdata=row_share.to_numpy(),
            hovertemplate=(
                translate("chart.axis.rating", lang)
                + ": %{y}<br>"
                + translate("chart.axis.predicted", lang)
                + ": %{x}<br>%{z:,} (%{customdata:.0%})<extra></extra>"
            ),
            colorbar={"title": {"text": translate("chart.axis.reviews", lang)}},
        )
    )
    return _base(
        fig,
        title,
        translate("chart.axis.predicted", lang),
        translate("chart.axis.rating", lang),
        lang,
        height=340,
    )


def drivers_chart(drivers: pd.DataFrame, lang: str = "en") -> go.Figure:
    """Diverging bars: terms over-represented in negative reviews to the left (red), in positive
    reviews to the right (green). Bar length is the z-score of the log-odds (how sure the difference
    is: log-odds alone saturate for words seen on one side only); hover shows log-odds and counts.

    :param drivers: `core.analytics.drivers(frame)`: term, side, z, log_odds, negative_reviews,
        positive_reviews (log_odds > 0 leans negative).
    """
    title = translate("chart.drivers.title", lang)
    if drivers.empty:
        return empty_figure(title, translate("chart.drivers.none", lang))
    traces = []
    for side, sign in (("negative", -1.0), ("positive", 1.0)):
        part = drivers.loc[drivers["side"] == side].copy()
        if part.empty:
            continue
        part["length"] = sign * part["z"].abs().astype(float)
        part = part.sort_values("z", key=lambda z: z.abs())  # strongest at the top of its side
        traces.append(
            go.Bar(
                y=[plain(term) for term in part["term"]],
                x=part["length"].to_numpy(),
                orientation="h",
                name=label_name(side, lang),
                marker_color=COLORS[side],
                customdata=np.stack(
                    [
                        part["negative_reviews"].to_numpy(),
                        part["positive_reviews"].to_numpy(),
                        part["log_odds"].abs().to_numpy(dtype=float),
                    ],
                    axis=-1,
                ),
                hovertemplate=(
                    "%{y}<br>"
                    + "z %{x:.1f} · log-odds %{customdata[2]:.2f}<br>"
                    + label_name("negative", lang)
                    + ": %{customdata[0]:,} · "
                    + label_name("positive", lang)
                    + ": %{customdata[1]:,}<extra></extra>"
                ),
            )
        )
    return _base(
        go.Figure(data=traces),
        title,
        translate("chart.axis.driver_strength", lang),
        None,
        lang,
        barmode="relative",
        height=max(320, 90 + 20 * len(drivers)),
        yaxis={"type": "category"},
    )


def confidence_histogram(hist: pd.DataFrame, lang: str = "en", threshold: float | None = None) -> go.Figure:
    """Stacked bars of the model's confidence per predicted label; a dashed line marks the
    low-confidence threshold below which reviews are listed for a human look.

    :param hist: `core.analytics.confidence_histogram(frame)`: bin_start, bin_end, label, count
        (binned in Python: 100k raw values would be a megabyte of JSON per rerun).
    """
    title = translate("chart.confidence.title", lang)
    if hist.empty or hist["count"].sum() == 0:
        return empty_figure(title, translate("chart.no_data", lang))
    traces = []
    for label in LABELS:
        part = hist.loc[hist["label"] == label]
        name = label_name(label, lang)
        traces.append(
            go.Bar(
                x=((part["bin_start"] + part["bin_end"]) / 2).to_numpy(),
                y=part["count"].to_numpy(),
                width=(part["bin_end"] - part["bin_start"]).to_numpy(),
                name=name,
                marker_color=COLORS[label],
                customdata=part[["bin_start", "bin_end"]].to_numpy(),
                hovertemplate=name + ": %{y:,}<br>%{customdata[0]:.0%}–%{customdata[1]:.0%}<extra></extra>",
            )
        )
    shapes = []
    if threshold is not None:
        line = {"dash": "dash", "color": "#444"}
        shapes.append(
            {
                "type": "line",
                "x0": threshold,
                "x1": threshold,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": line,
            }
        )
    return _base(
        go.Figure(data=traces),
        title,
        translate("chart.axis.confidence", lang),
        translate("chart.axis.reviews", lang),
        lang,
        barmode="stack",
        height=320,
        xaxis={"tickformat": ".0%", "range": [0.3, 1.0]},
        shapes=shapes,
    )


def confusion_chart(
    matrix: Sequence[Sequence[float]],
    labels: Sequence[str] = LABELS,
    lang: str = "en",
    title: str | None = None,
) -> go.Figure:
    """Confusion-matrix heatmap: true label (rows) by predicted label (columns), coloured by the
    row share so classes of different sizes compare fairly; counts in the cells.
    """
    title = title or translate("chart.confusion.title", lang)
    counts = np.asarray(matrix, dtype=float)
    if counts.size == 0:
        return empty_figure(title, translate("chart.no_data", lang))
    row_totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, row_totals, out=np.zeros_like(counts), where=row_totals > 0)
    names = [label_name(label, lang) for label in labels]
    fig = go.Figure(
        go.Heatmap(
            z=shares,
            x=names,
            y=names,
            zmin=0,
            zmax=1,
            colorscale="Blues",
            text=counts.astype(int),
            texttemplate="%{text:,}<br>%{z:.0%}",
            hovertemplate=(
                translate("chart.axis.true_label", lang)
                + ": %{y}<br>"
                + translate("chart.axis.predicted", lang)
                + ": %{x}<br>%{text:,} (%{z:.1%})<extra></extra>"
            ),
            colorbar={"title": {"text": translate("chart.axis.share", lang)}, "tickformat": ".0%"},
        )
    )
    return _base(
        fig,
        title,
        translate("chart.axis.predicted", lang),
        translate("chart.axis.true_label", lang),
        lang,
        height=330,
        yaxis={"autorange": "reversed"},
    )


def probability_bar(scores: Mapping[str, float] | None, lang: str = "en") -> go.Figure:
    """The three class probabilities of one prediction as one horizontal stacked bar (sums to 100%)."""
    title = translate("chart.probability.title", lang)
    if not scores:
        return empty_figure(title, translate("chart.no_data", lang))
    fig = go.Figure()
    for label in LABELS:
        value = float(scores.get(label, 0.0))
        fig.add_trace(
            go.Bar(
                x=[value],
                y=[""],
                orientation="h",
                name=label_name(label, lang),
                marker_color=COLORS[label],
                text=[f"{label_name(label, lang)} {value:.0%}" if value >= 0.12 else ""],
                textposition="inside",
                insidetextanchor="middle",
                hovertemplate=label_name(label, lang) + ": %{x:.1%}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        height=150,
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        separators=",." if lang == "es" else ".,",
    )
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    fig.update_layout(title={"text": title, "x": 0, "xanchor": "left"})
    fig.update_xaxes(title_text=translate("chart.axis.probability", lang))
    return fig
