"""Chart builders on small hand-made frames: right traces, right totals, colours, empty frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from core.analytics import confidence_histogram, drivers, label_shares, trend
from core.storage.queries import rating_label_crosstab
from dashboard import charts

COLORS = charts.COLORS


def reviews(rows: list[tuple[str, str, str | None, float | None, float]]) -> pd.DataFrame:
    """A frame shaped like core.storage.queries.reviews_frame from (product, label, date, rating,
    confidence).
    """
    frame = pd.DataFrame(rows, columns=["product", "label", "review_date", "rating", "confidence"])
    frame["review_date"] = pd.to_datetime(frame["review_date"])
    frame["text"] = "placeholder"
    return frame


SMALL = reviews(
    [
        ("Kettle", "negative", "2026-01-05", 0.0, 0.9),
        ("Kettle", "negative", "2026-01-06", 0.25, 0.8),
        ("Kettle", "positive", "2026-01-14", 1.0, 0.95),
        ("Kettle", "neutral", "2026-01-20", 0.5, 0.45),
        ("Toaster", "positive", "2026-01-07", 0.75, 0.7),
        ("Toaster", "positive", None, None, 0.6),
    ]
)


def titled(fig: go.Figure) -> str:
    return fig.layout.title.text


def is_empty(fig: go.Figure) -> bool:
    return len(fig.data) == 0 and len(fig.layout.annotations) == 1


def test_distribution_counts_shares_and_colours() -> None:
    fig = charts.distribution_chart(label_shares(SMALL, by="product"))
    assert [trace.name for trace in fig.data] == ["Negative", "Neutral", "Positive"]
    assert [trace.marker.color for trace in fig.data] == [COLORS[label] for label in charts.LABELS]
    assert all(trace.type == "bar" and trace.orientation == "h" for trace in fig.data)
    negative = fig.data[0]
    assert list(negative.y) == ["Kettle", "Toaster"]
    assert list(negative.x) == pytest.approx([0.5, 0.0])
    # hover carries the counts: 2 of 4 Kettle reviews are negative
    assert negative.customdata[0].tolist() == [2, 4]
    # shares of each product add up to 100 %
    totals = np.sum([trace.x for trace in fig.data], axis=0)
    assert totals == pytest.approx([1.0, 1.0])
    assert titled(fig) == "Sentiment distribution"
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text


def test_distribution_in_spanish_and_empty() -> None:
    fig = charts.distribution_chart(label_shares(SMALL, by="product"), lang="es")
    assert [trace.name for trace in fig.data] == ["Negativo", "Neutral", "Positivo"]
    assert titled(fig) == "Distribución del sentimiento"
    empty = charts.distribution_chart(label_shares(SMALL.iloc[0:0], by="product"))
    assert is_empty(empty)


def test_trend_lines_rolling_and_volume() -> None:
    table = trend(SMALL, freq="W")
    fig = charts.trend_chart(table)
    # one thin line + one rolling line per label, the volume bars, then the legend's line key
    assert [trace.type for trace in fig.data] == ["scatter"] * 6 + ["bar"] + ["scatter"] * 2
    assert [fig.data[i].line.color for i in (0, 2, 4)] == [COLORS[label] for label in charts.LABELS]
    volume = fig.data[6]
    # five dated reviews; the undated Toaster review is not in the trend
    assert int(np.sum(volume.y)) == 5
    negative_share = fig.data[0]
    assert negative_share.y[0] == pytest.approx(2 / 3)  # week of Jan 5: 2 negative of 3
    assert fig.layout.yaxis.title.text == "Share"
    assert fig.layout.xaxis.title.text == "Period"
    assert volume.yaxis == "y2" and fig.layout.yaxis2.domain[1] < fig.layout.yaxis.domain[0]


def test_trend_without_dates_is_an_explained_empty_figure() -> None:
    fig = charts.trend_chart(trend(SMALL.assign(review_date=pd.NaT)))
    assert is_empty(fig)
    assert "No dated reviews" in fig.layout.annotations[0].text


def test_rating_heatmap_cells_and_empty() -> None:
    fig = charts.rating_heatmap(rating_label_crosstab(SMALL))
    heat = fig.data[0]
    assert heat.type == "heatmap"
    z = np.asarray(heat.z)
    assert z.shape == (5, 3)
    assert int(z.sum()) == 5  # the unrated review is left out
    assert z[0, 0] == 1 and z[1, 0] == 1  # 1★ and 2★ negative
    assert list(heat.y) == ["1★", "2★", "3★", "4★", "5★"]
    assert is_empty(charts.rating_heatmap(rating_label_crosstab(SMALL.assign(rating=np.nan))))


def test_drivers_diverge_with_colours_and_escape_terms() -> None:
    table = pd.DataFrame(
        {
            "term": ["broke", "<b>leaks</b>", "love", "great sound"],
            "words": [1, 1, 1, 2],
            "side": ["negative", "negative", "positive", "positive"],
            "z": [4.0, 3.0, -5.0, -2.0],
            "log_odds": [1.5, 1.0, -2.0, -0.5],
            "negative_reviews": [10, 8, 1, 0],
            "positive_reviews": [0, 1, 20, 6],
        }
    )
    fig = charts.drivers_chart(table)
    negative, positive = fig.data
    assert negative.marker.color == COLORS["negative"] and positive.marker.color == COLORS["positive"]
    assert all(x < 0 for x in negative.x) and all(x > 0 for x in positive.x)
    # markup in a term is shown as text, never interpreted by Plotly
    assert "&lt;b&gt;leaks&lt;/b&gt;" in list(negative.y)
    assert is_empty(charts.drivers_chart(table.iloc[0:0]))


def test_drivers_chart_accepts_core_analytics_output() -> None:
    texts = ["it broke and leaks"] * 4 + ["love the great sound"] * 4
    frame = pd.DataFrame({"text": texts, "label": ["negative"] * 4 + ["positive"] * 4})
    fig = charts.drivers_chart(drivers(frame, min_count=2))
    assert {trace.name for trace in fig.data} == {"Negative", "Positive"}


def test_confidence_histogram_totals_and_threshold() -> None:
    fig = charts.confidence_histogram(confidence_histogram(SMALL, bins=20), threshold=0.55)
    assert [trace.name for trace in fig.data] == ["Negative", "Neutral", "Positive"]
    assert sum(int(np.sum(trace.y)) for trace in fig.data) == len(SMALL)
    assert fig.layout.shapes[0].x0 == 0.55  # the low-confidence line
    assert is_empty(charts.confidence_histogram(confidence_histogram(SMALL.iloc[0:0])))


def test_confusion_matrix_counts_and_row_shares() -> None:
    fig = charts.confusion_chart([[8, 1, 1], [2, 6, 2], [0, 0, 0]])
    heat = fig.data[0]
    assert np.asarray(heat.text).tolist() == [[8, 1, 1], [2, 6, 2], [0, 0, 0]]
    z = np.asarray(heat.z)
    assert z[0].tolist() == pytest.approx([0.8, 0.1, 0.1])
    assert z[2].tolist() == [0, 0, 0]  # an empty row divides by nothing
    assert fig.layout.yaxis.title.text == "True sentiment"
    assert is_empty(charts.confusion_chart([]))


def test_probability_bar_stacks_to_one() -> None:
    fig = charts.probability_bar({"negative": 0.1, "neutral": 0.2, "positive": 0.7})
    assert [trace.x[0] for trace in fig.data] == pytest.approx([0.1, 0.2, 0.7])
    assert [trace.marker.color for trace in fig.data] == [COLORS[label] for label in charts.LABELS]
    assert is_empty(charts.probability_bar(None))


def test_rating_buckets_round_half_up_like_the_store() -> None:
    ratings = pd.Series([0.0, 0.125, 0.25, 0.625, 1.0, None])
    assert charts.rating_buckets(ratings).tolist()[:5] == [1, 2, 2, 4, 5]
    assert np.isnan(charts.rating_buckets(ratings).iloc[5])


def test_trend_legend_explains_thin_and_thick_lines() -> None:
    fig = charts.trend_chart(trend(SMALL, freq="W"))
    key = [trace for trace in fig.data if trace.name and trace.name.startswith(("thin", "thick"))]
    assert [(k.name, k.line.width) for k in key] == [("thin: each period", 1), ("thick: 4-period average", 3)]
    assert all(list(k.x) == [None] for k in key)  # legend entries only, nothing drawn
    es = charts.trend_chart(trend(SMALL, freq="W"), lang="es")
    assert {"fina: cada periodo", "gruesa: media de 4 periodos"} <= {t.name for t in es.data}


def test_a_single_review_gets_a_day_wide_axis_not_sub_second_ticks() -> None:
    one = SMALL.loc[SMALL["review_date"].notna()].head(1)
    for freq, half in (("D", pd.Timedelta(hours=12)), ("M", pd.Timedelta(days=15))):
        fig = charts.trend_chart(trend(one, freq=freq))
        low, high = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
        assert high - low == 2 * half
        assert list(fig.layout.xaxis.ticktext) == [charts.date_ticks(fig.data[6].x, "en")["ticktext"][0]]
        assert ":" not in fig.layout.xaxis.ticktext[0]


def test_comparison_trend_overlays_products_in_one_chart() -> None:
    table = trend(SMALL, freq="W", by_product=True)
    fig = charts.comparison_trend_chart(table, "negative")
    products = sorted(SMALL.loc[SMALL["review_date"].notna(), "product"].unique())
    drawn = [t for t in fig.data if t.x[0] is not None]  # the line key's traces hold x=[None]
    thick = [t for t in drawn if t.type == "scatter" and t.showlegend is not False]
    assert [t.name for t in thick] == products
    assert len({t.line.color for t in thick}) == len(products)
    assert not {t.line.color for t in thick} & set(COLORS.values())  # products are not labels
    bars = [t for t in fig.data if t.type == "bar"]
    assert int(sum(np.sum(b.y) for b in bars)) == 5 and {b.yaxis for b in bars} == {"y2"}
    assert fig.layout.title.text == "Negative share over time"
    assert fig.layout.legend.y < 0  # below the plot: long names wrap there, not over the title
    assert is_empty(charts.comparison_trend_chart(table.iloc[0:0]))
