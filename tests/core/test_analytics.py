"""Dashboard analytics on small hand-made frames, including empty ones."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core.analytics import (
    auto_freq,
    confidence_histogram,
    drivers,
    kpis,
    label_shares,
    low_confidence,
    mismatches,
    product_comparison,
    products_needing_attention,
    rating_agreement,
    trend,
    trend_freq_for,
)
from core.storage.queries import REVIEW_COLUMNS


def frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """A reviews_frame-shaped frame from partial rows."""
    data = pd.DataFrame(rows, columns=REVIEW_COLUMNS)
    data["review_date"] = pd.to_datetime(data["review_date"], format="ISO8601")
    for column in ("rating", "confidence"):
        data[column] = data[column].astype(float)
    return data


def row(product: str, label: str, day: str | None = None, **extra: object) -> dict[str, object]:
    return {"product": product, "label": label, "review_date": day, "text": extra.pop("text", "x"), **extra}


EMPTY = frame([])


def test_label_shares() -> None:
    data = frame(
        [
            row("A", "negative"),
            row("A", "positive"),
            row("A", "positive"),
            row("B", "neutral"),
            row("B", "unscorable"),
        ]
    )
    overall = label_shares(data)
    assert overall.to_dict("list") == {
        "label": ["negative", "neutral", "positive"],
        "count": [1, 1, 2],
        "share": [0.25, 0.25, 0.5],
    }
    by_product = label_shares(data, by="product").set_index(["product", "label"])
    assert by_product.loc[("A", "positive"), "share"] == pytest.approx(2 / 3)
    assert (
        by_product.loc[("B", "neutral"), "share"] == 1.0 and by_product.loc[("B", "negative"), "count"] == 0
    )
    empty = label_shares(EMPTY)
    assert empty["count"].tolist() == [0, 0, 0] and empty["share"].isna().all()
    assert label_shares(EMPTY, by="product").empty


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (["2024-01-01", "2024-03-03"], "D"),  # 62 days
        (["2024-01-01", "2024-03-04"], "W"),
        (["2024-01-01", "2025-07-01"], "W"),
        (["2024-01-01", "2025-07-03"], "M"),
        ([], "W"),
        ([None, None], "W"),
    ],
)
def test_auto_freq(dates: list[str | None], expected: str) -> None:
    assert auto_freq(pd.Series(dates, dtype=object)) == expected


def test_trend_fills_gaps_and_weights_the_rolling_share() -> None:
    data = frame(
        [
            row("A", "negative", "2024-01-01"),
            row("A", "positive", "2024-01-01"),
            row("A", "positive", "2024-01-01"),
            row("A", "positive", "2024-01-01"),
            row("A", "negative", "2024-01-03"),  # nothing on 2 January
            row("A", "positive", None),  # undated: left out
            row("A", "unscorable", "2024-01-02"),  # not a sentiment: left out
        ]
    )
    result = trend(data, window=2)
    assert result.attrs == {"freq": "D", "window": 2}
    negative = result.loc[result["label"] == "negative"].set_index("period")
    assert negative.index.strftime("%m-%d").tolist() == ["01-01", "01-02", "01-03"]
    assert negative["count"].tolist() == [1, 0, 1]
    assert negative["volume"].tolist() == [4, 0, 1]
    assert negative["share"].iloc[0] == 0.25 and math.isnan(negative["share"].iloc[1])
    assert negative["share"].iloc[2] == 1.0
    # rolling over two days, weighted by volume: (1+0)/(4+0), then (0+1)/(0+1)
    assert negative["rolling_share"].tolist() == [0.25, 0.25, 1.0]
    positive = result.loc[result["label"] == "positive", "rolling_share"].tolist()
    assert positive == [0.75, 0.75, 0.0]


def test_trend_weekly_by_product_and_default_window() -> None:
    data = frame([row("A", "negative", "2024-01-03"), row("B", "positive", "2024-03-20")])
    result = trend(data, freq="W", by_product=True)
    assert result.attrs["window"] == 4
    a = result.loc[(result["product"] == "A") & (result["label"] == "negative")]
    assert a["period"].iloc[0] == pd.Timestamp("2024-01-01")  # weeks start on Monday
    assert len(a) == 12  # 1 January to 18 March, without gaps
    assert list(result.columns) == ["period", "product", "label", "count", "volume", "share", "rolling_share"]
    monthly = trend(data, freq="M")
    assert monthly.loc[monthly["label"] == "negative", "count"].tolist() == [1, 0, 0]


def test_trend_empty_and_undated() -> None:
    assert trend(EMPTY).empty
    assert trend(frame([row("A", "positive")])).empty
    assert list(trend(EMPTY, by_product=True).columns) == [
        "period", "product", "label", "count", "volume", "share", "rolling_share"
    ]  # fmt: skip


def test_kpis_change_versus_previous_period() -> None:
    data = frame(
        [
            # previous 30 days: 1 March 00:00 up to 31 March 00:00
            row("A", "negative", "2024-03-05", rating=0.0),
            row("A", "positive", "2024-03-10", rating=1.0),
            # current 30 days: 31 March up to 30 April 00:00 (the newest review's day included)
            row("A", "negative", "2024-04-01", rating=0.25),
            row("B", "negative", "2024-04-10", rating=0.25),
            row("B", "neutral", "2024-04-20"),
            row("B", "positive", "2024-04-29 18:00", rating=1.0),
            row("C", "positive", "2024-01-01"),  # older than both periods
        ]
    )
    result = kpis(data)
    assert result["reviews"].value == 4 and result["reviews"].previous == 2
    assert result["reviews"].delta == 2 and result["reviews"].relative == 1.0
    assert result["products"].value == 2 and result["products"].previous == 1
    assert (
        result["negative"].value == 0.5
        and result["negative"].previous == 0.5
        and result["negative"].delta == 0
    )
    assert result["neutral"].value == 0.25 and result["neutral"].delta == 0.25
    assert result["positive"].value == 0.25 and result["positive"].delta == -0.25
    assert result["positive"].relative is None  # relative change only for counts
    assert result["avg_rating"].value == pytest.approx(0.5) and result["avg_rating"].previous == 0.5

    explicit = kpis(data, start="2024-04-01", end="2024-04-10")  # 10 days, the end day included
    assert explicit["reviews"].value == 2 and explicit["reviews"].previous == 0
    assert explicit["reviews"].relative is None


def test_kpis_without_dates_or_rows() -> None:
    undated = kpis(frame([row("A", "negative"), row("A", "positive")]))
    assert undated["reviews"].value == 2 and undated["reviews"].previous is None
    assert undated["negative"].value == 0.5 and undated["negative"].delta is None
    empty = kpis(EMPTY)
    assert (
        empty["reviews"].value == 0 and empty["negative"].value is None and empty["avg_rating"].value is None
    )


def test_products_needing_attention() -> None:
    rows = []
    # A: steadily bad (80% negative both periods); B: rising from 10% to 60%; C: fine; D: too few reviews
    for day_prev, day_now in (("2024-03-10", "2024-04-10"),):
        rows += [row("A", "negative", day_prev)] * 8 + [row("A", "positive", day_prev)] * 2
        rows += [row("A", "negative", day_now)] * 8 + [row("A", "positive", day_now)] * 2
        rows += [row("B", "negative", day_prev)] * 1 + [row("B", "positive", day_prev)] * 9
        rows += [row("B", "negative", day_now)] * 6 + [row("B", "positive", day_now)] * 4
        rows += [row("C", "positive", day_now)] * 10 + [row("C", "negative", day_prev)] * 10
        rows += [row("D", "negative", day_now)] * 3
    result = products_needing_attention(frame(rows), top=1)
    assert result["product"].tolist() == ["A", "B"]
    a, b = result.iloc[0], result.iloc[1]
    assert (a["reason"], a["negative_share"], a["change"]) == ("highest negative share", 0.8, 0.0)
    assert b["reason"] == "fastest-rising negative share"
    assert (
        b["negative_share"] == 0.6
        and b["previous_negative_share"] == 0.1
        and b["change"] == pytest.approx(0.5)
    )
    assert b["reviews"] == 10
    both = products_needing_attention(frame(rows), top=5, min_reviews=3)
    # C went from all negative to none: neither high nor rising, so not listed however many are ranked
    assert set(both["product"]) == {"A", "B", "D"}
    assert (
        both.set_index("product").loc["B", "reason"]
        == "highest negative share and fastest-rising negative share"
    )
    assert products_needing_attention(EMPTY).empty


def test_calm_products_are_not_listed_however_few_there_are() -> None:
    rows = []
    # 5 % and 8 % negative, steady: ranking would call them the "highest", the 10 % floor does not
    for product, negative in (("Calm", 1), ("Calmer", 0)):
        for day in ("2024-03-10", "2024-04-10"):
            rows += [row(product, "negative", day)] * negative + [row(product, "positive", day)] * 19
    assert products_needing_attention(frame(rows), top=5).empty
    # a share above the floor but below the all-products share is not "highest" either
    rows = [row("Bad", "negative", "2024-04-10")] * 16 + [row("Bad", "positive", "2024-04-10")] * 4
    rows += [row("Average", "negative", "2024-04-10")] * 3 + [row("Average", "positive", "2024-04-10")] * 17
    listed = products_needing_attention(frame(rows), top=5)
    assert listed["product"].tolist() == ["Bad"]  # overall share 47.5 %; Average has 15 %
    # a rise of two points or more is listed even from a low share
    rows = [row("Riser", "negative", "2024-03-10")] * 0 + [row("Riser", "positive", "2024-03-10")] * 20
    rows += [row("Riser", "negative", "2024-04-10")] * 1 + [row("Riser", "positive", "2024-04-10")] * 19
    rows += [row("Bad", "negative", "2024-04-10")] * 16 + [row("Bad", "positive", "2024-04-10")] * 4
    listed = products_needing_attention(frame(rows), top=5).set_index("product")
    assert listed.loc["Riser", "reason"] == "fastest-rising negative share"


def test_each_product_is_judged_on_its_own_latest_month() -> None:
    # "Old" stopped getting reviews in January: a window ending at "New"'s newest review (June) would
    # hold none of its reviews and drop it; its own last month (80 % negative, from 10 %) is listed.
    rows = [row("Old", "negative", "2024-01-05")] * 1 + [row("Old", "positive", "2024-01-05")] * 9
    rows += [row("Old", "negative", "2024-01-28")] * 8 + [row("Old", "positive", "2024-01-28")] * 2
    rows += [row("New", "negative", "2024-06-20")] * 1 + [row("New", "positive", "2024-06-20")] * 19
    listed = products_needing_attention(frame(rows), days=20, top=5).set_index("product")
    assert listed.index.tolist() == ["Old"]
    assert listed.loc["Old", "negative_share"] == pytest.approx(0.8)
    assert listed.loc["Old", "change"] == pytest.approx(0.7)
    assert listed.loc["Old", "reviews"] == 10


def test_rating_agreement_counts_rated_reviews_whose_stars_give_the_label() -> None:
    stars = {1: 0.0, 2: 0.25, 3: 0.5, 4: 0.75, 5: 1.0}
    rows = [
        row("A", "negative", rating=stars[1]),
        row("A", "negative", rating=stars[2]),
        row("A", "neutral", rating=stars[3]),
        row("A", "positive", rating=stars[4]),
        row("A", "negative", rating=stars[5]),  # disagrees
        row("A", "positive"),  # no rating: not counted
        row("A", "unscorable", rating=stars[5]),  # not scored: not counted
        row("B", "positive", rating=stars[1]),
        row("B", "positive", rating=stars[5]),
        row("C", "neutral"),
    ]
    table = rating_agreement(frame(rows)).set_index("product")
    assert table.loc["A", ["rated", "agreeing"]].tolist() == [5, 4]
    assert table.loc["A", "agreement"] == pytest.approx(0.8) and not table.loc["A", "low"]
    assert table.loc["B", "agreement"] == pytest.approx(0.5) and table.loc["B", "low"]
    assert table.loc["C", "rated"] == 0 and math.isnan(table.loc["C", "agreement"])
    assert not table.loc["C", "low"]
    assert rating_agreement(EMPTY).empty


def test_drivers_log_odds_with_informative_prior() -> None:
    negative = [
        "The battery died fast",
        "Battery died again, awful",
        "awful battery",
        "Screen is fine but battery died",
    ]
    positive = [
        "Love the screen",
        "Love it, great screen",
        "great value, love it",
        "Screen great and battery fine",
    ]
    data = frame(
        [row("A", "negative", text=t) for t in negative] + [row("A", "positive", text=t) for t in positive]
    )
    result = drivers(data, top=3, min_count=2)
    assert list(result.columns) == [
        "term",
        "words",
        "side",
        "z",
        "log_odds",
        "negative_reviews",
        "positive_reviews",
    ]
    neg = result.loc[result["side"] == "negative"]
    pos = result.loc[result["side"] == "positive"]
    assert set(neg["term"].iloc[:2]) == {"died", "battery died"}  # equal counts, so equal z
    assert neg.set_index("term").loc["battery died", "words"] == 2
    assert set(pos["term"].iloc[:2]) == {"love", "great"} and (pos["z"] < 0).all() and (neg["z"] > 0).all()
    died = neg.set_index("term").loc["died"]
    assert (died["negative_reviews"], died["positive_reviews"]) == (3, 0)
    # the z-score of "died" by hand (Monroe et al.): negative reviews hold 22 term occurrences
    # (words and two-word phrases, once per review; "again" and "but" only inside phrases), positive
    # ones 20; the prior is the pooled counts
    n_neg, n_pos, alpha0 = 22, 20, 42
    y_i, y_j, a = 3, 0, 3
    delta = math.log((y_i + a) / (n_neg + alpha0 - y_i - a)) - math.log(
        (y_j + a) / (n_pos + alpha0 - y_j - a)
    )
    z = delta / math.sqrt(1 / (y_i + a) + 1 / (y_j + a))
    assert died["z"] == pytest.approx(z) and died["log_odds"] == pytest.approx(delta)
    table = drivers(data, top=1000, min_count=1)
    assert table["negative_reviews"].sum() <= n_neg and len(table) <= 30
    assert "the" not in set(table["term"]) and "," not in set(table["term"])  # stopwords, punctuation
    # kept words (negation, contrast, intensity) only inside a phrase with a content word
    assert {"but", "again"}.isdisjoint(table["term"]) and {"fine but", "died again"} <= set(table["term"])


def test_drivers_skip_phrases_of_function_words_alone() -> None:
    negative = ["It leaks all over the counter", "leaks all over again", "water all over, not good"] * 2
    positive = ["Great kettle, fast boil", "great value, fast", "fast and great"] * 2
    data = frame(
        [row("A", "negative", text=t) for t in negative] + [row("A", "positive", text=t) for t in positive]
    )
    terms = set(drivers(data, top=1000, min_count=1)["term"])
    assert {"leaks all", "not good", "leaks", "great"} <= terms
    assert {"all", "over", "all over", "not", "over again"}.isdisjoint(terms)


def test_drivers_empty_or_one_sided() -> None:
    assert drivers(EMPTY).empty
    assert drivers(frame([row("A", "negative", text="bad bad bad")] * 5)).empty  # no positive side


def test_mismatches() -> None:
    data = frame(
        [
            row("A", "negative", rating=1.0, confidence=0.7, text="sarcastic"),
            row("A", "negative", rating=0.75, confidence=0.9, text="four stars but negative"),
            row("A", "positive", rating=0.0, confidence=0.8, text="one star but positive"),
            row("A", "positive", rating=1.0, confidence=0.9, text="agrees"),
            row("A", "neutral", rating=0.0, confidence=0.9, text="neutral low"),
            row("A", "positive", rating=None, confidence=0.9, text="no rating"),
        ]
    )
    result = mismatches(data)
    assert result["text"].tolist() == ["four stars but negative", "one star but positive", "sarcastic"]
    assert result["mismatch"].tolist() == [
        "high rating, negative text", "low rating, positive text", "high rating, negative text"
    ]  # fmt: skip
    assert mismatches(data, high=0.9)["text"].tolist() == ["one star but positive", "sarcastic"]
    assert mismatches(EMPTY).empty and "mismatch" in mismatches(EMPTY).columns


def test_low_confidence_and_histogram() -> None:
    data = frame(
        [
            row("A", "negative", confidence=0.45, text="unsure"),
            row("A", "neutral", confidence=0.34, text="very unsure"),
            row("A", "positive", confidence=0.95, text="sure"),
            row("A", "positive", confidence=1.0, text="certain"),
            row("A", "unscorable", confidence=None, text=""),
        ]
    )
    assert low_confidence(data)["text"].tolist() == ["very unsure", "unsure"]
    assert low_confidence(data, threshold=0.4, limit=1)["text"].tolist() == ["very unsure"]
    histogram = confidence_histogram(data, bins=4)
    assert len(histogram) == 12 and histogram["count"].sum() == 4
    counts = histogram.set_index(["bin_start", "label"])["count"]
    assert counts[(0.25, "neutral")] == 1 and counts[(0.25, "negative")] == 1
    assert counts[(0.75, "positive")] == 2  # 1.0 falls in the last bin
    assert np.allclose(histogram["bin_end"] - histogram["bin_start"], 0.25)
    assert low_confidence(EMPTY).empty and confidence_histogram(EMPTY)["count"].sum() == 0


def test_trend_freq_for_takes_longer_periods_when_a_product_has_few_reviews() -> None:
    days = pd.date_range("2026-01-01", periods=40, freq="D")
    busy = [row("Busy", "positive", f"{d:%Y-%m-%d}") for d in days for _ in range(4)]  # 4 a day
    assert trend_freq_for(frame(busy)) == "D"  # 40 days, plenty per day
    sparse = [row("Sparse", "negative", f"{d:%Y-%m-%d}") for d in days[::4]]  # 10 over 40 days
    assert auto_freq(frame(sparse)["review_date"]) == "D"  # the span alone would pick days
    assert trend_freq_for(frame(sparse)) == "M"  # ~2 a week: months
    assert trend_freq_for(frame(busy + sparse)) == "M"  # the sparsest product decides for an overlay
    weekly = [row("W", "neutral", f"{d:%Y-%m-%d}") for d in days for _ in range(1)]  # 1 a day
    assert trend_freq_for(frame(weekly)) == "W"
    assert trend_freq_for(frame([row("One", "positive", "2026-02-03")])) == "M"  # one review: one month
    assert trend_freq_for(EMPTY) == auto_freq(EMPTY["review_date"])


def test_product_comparison_shares_stars_change_and_agreement() -> None:
    stars = {1: 0.0, 3: 0.5, 5: 1.0}
    now = [
        row("A", "negative", "2026-03-02", rating=stars[1]),
        row("A", "positive", "2026-03-03", rating=stars[5]),
        row("A", "positive", "2026-03-04", rating=stars[1]),  # disagrees with its stars
        row("A", "neutral", "2026-03-05"),
        row("B", "positive", "2026-03-02"),
    ]
    before = [row("A", "negative", "2026-02-20"), row("A", "positive", "2026-02-21")]
    table = product_comparison(frame(now), frame(before)).set_index("product")
    assert table.loc["A", ["reviews", "negative", "neutral", "positive"]].tolist() == [4, 0.25, 0.25, 0.5]
    assert table.loc["A", "stars"] == pytest.approx((1 + 5 + 1) / 3)
    assert table.loc["A", "previous_negative"] == pytest.approx(0.5)
    assert table.loc["A", "change"] == pytest.approx(-0.25)
    assert table.loc["A", ["rated", "agreement"]].tolist() == [3, pytest.approx(2 / 3)]
    # no ratings, no earlier reviews: blanks, not zeros
    assert table.loc["B", "rated"] == 0
    assert table.loc["B", ["stars", "previous_negative", "change", "agreement"]].isna().all()
    # agreement measured on another frame (the page: the date range without label or star filters)
    only_negative = frame([r for r in now if r["label"] == "negative"])
    narrowed = product_comparison(only_negative, EMPTY, agreement_of=frame(now)).set_index("product")
    assert narrowed.loc["A", "agreement"] == pytest.approx(2 / 3) and narrowed.loc["A", "reviews"] == 1
    assert product_comparison(EMPTY, EMPTY).empty
