"""Pure frame functions behind the dashboard's charts and tables.

Every function takes a frame shaped like :func:`core.storage.queries.reviews_frame` (columns product, text,
title, rating 0–1, review_date, label, negative, neutral, positive, confidence) and returns a new
frame or dict; none touches the database. Each handles an empty frame by returning an empty result
with the same columns. Shares count only the three sentiment labels ("unscorable" is left out).

:func:`label_shares`, :func:`trend`, :func:`kpis` and :func:`products_needing_attention` also take the
pre-aggregated frame of :func:`core.storage.queries.daily_counts` (one row per product, day and label with a
`count`), which answers an overview of millions of reviews without loading them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

import numpy as np
import pandas as pd

from core.ingestion.rating_labels import RatingCutoffs
from core.nlp.text import KEEP_WORDS, stopword_set, tokenize
from core.storage.queries import LABELS, period_start

WINDOWS = {"D": 7, "W": 4, "M": 3}  # default rolling window per frequency: a week, a month, a quarter
PLACEHOLDER_PREFIX = "xx"  # core.nlp.text maps URLs, ratings, numbers, @users, emoticons to xx... tokens
LOW_AGREEMENT = 0.70  # below this share of rated reviews agreeing with their stars, a product is flagged
MIN_PER_PERIOD = 3  # reviews per period below which a trend's points are mostly noise: use longer periods
COARSER = {"D": "W", "W": "M"}


def _weights(frame: pd.DataFrame) -> pd.Series:
    """Reviews each row stands for: 1, or `count` in a frame from
    :func:`core.storage.queries.daily_counts`.
    """
    if "count" in frame.columns:
        return frame["count"].astype(float)
    return pd.Series(1.0, index=frame.index)


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[frame["label"].isin(LABELS)]


def label_shares(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Count and share of each label (all three always present), optionally per `by` (e.g. product).

    :return: columns [by,] label, count, share; share is NaN for a group with no labelled reviews.
    """
    keys = [by] if by else []
    data = _labelled(frame)
    groups = sorted(data[by].dropna().unique()) if by else [None]
    rows = []
    for group in groups:
        part = data if by is None else data.loc[data[by] == group]
        counts = _weights(part).groupby(part["label"]).sum()
        total = int(counts.sum())
        for label in LABELS:
            count = int(counts.get(label, 0))
            row = {"label": label, "count": count, "share": count / total if total else math.nan}
            rows.append({by: group, **row} if by else row)
    return pd.DataFrame(rows, columns=[*keys, "label", "count", "share"])


def auto_freq(dates: pd.Series) -> str:
    """Pick D, W or M from the span of `dates`: days up to two months, weeks up to 18 months."""
    dates = pd.to_datetime(dates).dropna()
    if dates.empty:
        return "W"
    span = dates.max() - dates.min()
    if span <= timedelta(days=62):
        return "D"
    if span <= timedelta(days=548):
        return "W"
    return "M"


def trend_freq_for(frame: pd.DataFrame, min_per_period: float = MIN_PER_PERIOD) -> str:
    """The trend frequency for these reviews: :func:`auto_freq` of their span, made coarser (days →
    weeks → months) while any product averages fewer than `min_per_period` reviews per period over
    its own dated span; a product with a handful of reviews a month gets months, not empty weeks.
    """
    dated = frame.loc[frame["review_date"].notna(), ["product", "review_date"]]
    freq = auto_freq(dated["review_date"])
    if dated.empty:
        return freq
    while freq in COARSER:
        per_period = []
        for _, part in dated.groupby("product", sort=False):
            starts = period_start(part["review_date"], freq)
            periods = len(pd.date_range(starts.min(), starts.max(), freq={"D": "D", "W": "W-MON"}[freq]))
            per_period.append(len(part) / max(periods, 1))
        if min(per_period) >= min_per_period:
            break
        freq = COARSER[freq]
    return freq


def trend(
    frame: pd.DataFrame, freq: str | None = None, window: int | None = None, by_product: bool = False
) -> pd.DataFrame:
    """Label share and volume per period, with a volume-weighted rolling share.

    Periods run without gaps from the first to the last dated review (empty periods have volume 0
    and share NaN), so the rolling window spans time, not rows. The rolling share of a label is
    the label's count over the window divided by the volume over the window.

    :param freq: D, W or M; default :func:`auto_freq` of the dates.
    :param window: periods in the rolling window; default 7 days, 4 weeks or 3 months.
    :param by_product: one series per product instead of all reviews together.
    :return: columns period, [product,] label, count, volume, share, rolling_share; the frequency
        used is in ``result.attrs["freq"]`` and the window in ``result.attrs["window"]``.
    """
    freq = freq or auto_freq(frame["review_date"] if "review_date" in frame else pd.Series(dtype=object))
    window = window or WINDOWS[freq]
    keys = ["product"] if by_product else []
    columns = ["period", *keys, "label", "count", "volume", "share", "rolling_share"]
    data = _labelled(frame)
    data = data.loc[data["review_date"].notna()]
    if data.empty:
        result = pd.DataFrame(columns=columns)
        result.attrs.update(freq=freq, window=window)
        return result
    data = data.assign(period=period_start(data["review_date"], freq))
    pandas_freq = {"D": "D", "W": "W-MON", "M": "MS"}[freq]
    periods = pd.date_range(data["period"].min(), data["period"].max(), freq=pandas_freq)
    groups = sorted(data["product"].unique()) if by_product else [None]
    parts = []
    for group in groups:
        part = data if group is None else data.loc[data["product"] == group]
        counts = _weights(part).groupby([part["period"], part["label"]]).sum().unstack("label")
        counts = counts.reindex(index=periods, columns=list(LABELS)).fillna(0).astype(int)
        volume = counts.sum(axis=1)
        rolling_counts = counts.rolling(window, min_periods=1).sum()
        rolling_volume = volume.rolling(window, min_periods=1).sum()
        for label in LABELS:
            piece = pd.DataFrame(
                {
                    "period": periods,
                    "label": label,
                    "count": counts[label].to_numpy(),
                    "volume": volume.to_numpy(),
                    "share": (counts[label] / volume.where(volume > 0)).to_numpy(),
                    "rolling_share": (
                        rolling_counts[label] / rolling_volume.where(rolling_volume > 0)
                    ).to_numpy(),
                }
            )
            if by_product:
                piece.insert(1, "product", group)
            parts.append(piece)
    result = pd.concat(parts, ignore_index=True)[columns]
    result = result.sort_values([*keys, "period", "label"]).reset_index(drop=True)
    result.attrs.update(freq=freq, window=window)
    return result


@dataclass(frozen=True)
class Kpi:
    """One KPI tile: the value in the current period, the previous period's value, and the change."""

    name: str
    value: float | None
    previous: float | None
    delta: float | None  # value - previous (shares: in share points, 0.05 = 5 points)
    relative: float | None  # delta / previous, for counts; None when previous is 0 or unknown


def _windows(
    frame: pd.DataFrame, start: object, end: object, days: int
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.Timestamp | None, pd.Timestamp | None]:
    """(current rows, previous rows or None, current start, current end) for the KPI windows."""
    dates = (
        pd.to_datetime(frame["review_date"]) if "review_date" in frame else pd.Series(dtype="datetime64[ns]")
    )
    if dates.notna().sum() == 0:
        return frame, None, None, None
    upper = pd.Timestamp(end) if end is not None else dates.max().normalize() + pd.Timedelta(days=1)
    lower = pd.Timestamp(start) if start is not None else upper - pd.Timedelta(days=days)
    if end is not None and upper == upper.normalize():
        upper = upper + pd.Timedelta(days=1)  # a bare end date includes that whole day
    length = upper - lower
    current = frame.loc[(dates >= lower) & (dates < upper)]
    previous = frame.loc[(dates >= lower - length) & (dates < lower)]
    return current, previous, lower, upper


def _measures(part: pd.DataFrame) -> dict[str, float | None]:
    weights = _weights(part)
    labelled = _labelled(part)
    per_label = weights[labelled.index].groupby(labelled["label"]).sum()
    total = float(per_label.sum())
    values: dict[str, float | None] = {
        "reviews": float(weights.sum()),
        "products": float(part.loc[weights > 0, "product"].nunique()) if len(part) else 0.0,
    }
    for label in LABELS:
        values[label] = float(per_label.get(label, 0.0) / total) if total else None
    if "rating_sum" in part.columns:  # pre-aggregated: sums and counts of ratings
        rated = float(part["rating_count"].sum())
        values["avg_rating"] = float(part["rating_sum"].sum() / rated) if rated else None
    else:
        ratings = part["rating"].dropna() if "rating" in part else pd.Series(dtype=float)
        values["avg_rating"] = float(ratings.mean()) if len(ratings) else None
    return values


def kpis(frame: pd.DataFrame, start: object = None, end: object = None, days: int = 30) -> dict[str, Kpi]:
    """KPI tiles for the current period and their change versus the previous period of equal length.

    The current period is [`start`, `end`] (a bare end date includes that day); by default the last
    `days` days up to the newest review. Pass the frame unfiltered by date, so the previous period's
    reviews are in it. A frame without dates yields whole-frame values and no change.

    :return: KPIs named reviews, products, negative, neutral, positive (shares) and avg_rating (0–1).
    """
    current, previous, _, _ = _windows(frame, start, end, days)
    now = _measures(current)
    before = _measures(previous) if previous is not None else None
    result = {}
    for name, value in now.items():
        prior = before[name] if before is not None else None
        delta = value - prior if value is not None and prior is not None else None
        relative = delta / prior if delta is not None and prior else None
        result[name] = Kpi(name, value, prior, delta, relative if name in ("reviews", "products") else None)
    return result


def _per_product_windows(frame: pd.DataFrame, days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(current rows, previous rows): each product's last `days` days up to its own newest review, and
    the `days` before. A product without dates has all its rows current and none previous."""
    if "review_date" in frame:
        dates = pd.to_datetime(frame["review_date"])
    else:
        dates = pd.Series(pd.NaT, index=frame.index)
    newest = dates.groupby(frame["product"]).transform("max")
    upper = newest.dt.normalize() + pd.Timedelta(days=1)
    lower = upper - pd.Timedelta(days=days)
    undated_product = newest.isna()
    current = undated_product | ((dates >= lower) & (dates < upper))
    previous = ~undated_product & (dates >= lower - pd.Timedelta(days=days)) & (dates < lower)
    return frame.loc[current], frame.loc[previous]


def star_class(ratings: pd.Series) -> pd.Series:
    """The label of each normalised rating by stars (1–2 negative, 3 neutral, 4–5 positive), None
    where there is no rating (the default cut-offs of :class:`core.ingestion.rating_labels.RatingCutoffs`)."""
    cutoffs = RatingCutoffs()
    return ratings.map(lambda r: cutoffs.label(None if pd.isna(r) else float(r)))


def rating_agreement(frame: pd.DataFrame, by: str = "product", low: float = LOW_AGREEMENT) -> pd.DataFrame:
    """How often the model's label matches the star class, per `by`: the share of rated, scored
    reviews whose stars (1–2 negative, 3 neutral, 4–5 positive) give the model's label.

    Needs one row per review (a :func:`core.storage.queries.reviews_frame`), not daily counts.

    :return: columns [by], rated, agreeing, agreement (NaN with no rated reviews) and low (agreement
        below `low`); one row per group with at least one review, sorted by `by`.
    """
    columns = [by, "rated", "agreeing", "agreement", "low"]
    data = _labelled(frame)
    if data.empty or "rating" not in data:
        return pd.DataFrame(columns=columns)
    stars = star_class(data["rating"])
    rated = stars.notna()
    table = pd.DataFrame(
        {
            "rated": rated.groupby(data[by]).sum(),
            "agreeing": (rated & (stars == data["label"])).groupby(data[by]).sum(),
        }
    ).astype(int)
    table["agreement"] = table["agreeing"] / table["rated"].where(table["rated"] > 0)
    table["low"] = table["agreement"] < low
    return table.reset_index(names=by)[columns]


def product_comparison(
    current: pd.DataFrame, previous: pd.DataFrame, agreement_of: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per product of `current`: what the Products page compares side by side.

    :param current: the reviews in the chosen range (one row per review).
    :param previous: the same products' reviews in the period before it, for `change`.
    :param agreement_of: the reviews to measure label/star agreement on (default `current`): the page
        passes the date range only, so a label or star filter cannot fake a disagreement.
    :return: columns product, reviews, negative, neutral, positive (shares 0–1), stars (average 1–5,
        NaN unrated), previous_negative, change (negative share minus the previous period's, NaN
        when that period had no reviews), rated, agreement (NaN without ratings), sorted by product.
    """
    columns = ["product", "reviews", "negative", "neutral", "positive", "stars", "previous_negative",
               "change", "rated", "agreement"]  # fmt: skip
    data = _labelled(current)
    if data.empty:
        return pd.DataFrame(columns=columns)
    shares = pd.crosstab(data["product"], data["label"], normalize="index").reindex(
        columns=list(LABELS), fill_value=0.0
    )
    table = shares.assign(reviews=data.groupby("product").size())
    stars = np.floor(data["rating"].astype(float).clip(0, 1) * 4 + 0.5) + 1  # as rating_label_crosstab
    table["stars"] = stars.groupby(data["product"]).mean()
    before = _labelled(previous)
    prior = (
        before.loc[before["label"] == "negative"].groupby("product").size() / before.groupby("product").size()
    )
    table["previous_negative"] = prior.reindex(table.index)
    table["change"] = table["negative"] - table["previous_negative"]
    agreement = rating_agreement(current if agreement_of is None else agreement_of).set_index("product")
    table["rated"] = agreement["rated"].reindex(table.index).fillna(0).astype(int)
    table["agreement"] = agreement["agreement"].reindex(table.index)
    return table.rename_axis(None, axis=1).reset_index(names="product").sort_values("product")[columns]


def products_needing_attention(
    frame: pd.DataFrame,
    days: int = 30,
    top: int = 5,
    min_reviews: int = 10,
    min_negative_share: float = 0.10,
    min_rise: float = 0.02,
) -> pd.DataFrame:
    """Products with the highest negative share, and those whose negative share rose fastest.

    Each product is judged on its own latest `days` days, ending at that product's newest review (all
    its reviews when it has no dates), compared with the `days` before: a product whose reviews
    stopped coming months ago is judged on its last month, not on an empty window that ends at
    another product's newest review. Products with fewer than `min_reviews` labelled
    reviews in a period get no share for it, so three angry reviews do not top the list.
    Ranking alone would call the "highest" of five calm products a problem, so a product is only
    listed for its share when that share is at least `min_negative_share` and at least the share
    over all products in the period, and only for its rise when it rose by `min_rise` or more.

    :return: columns product, reviews, negative_share, previous_negative_share, change, reason;
        highest negative share first.
    """
    columns = ["product", "reviews", "negative_share", "previous_negative_share", "change", "reason"]
    data = _labelled(frame)
    if data.empty:
        return pd.DataFrame(columns=columns)
    current, previous = _per_product_windows(data, days)

    def shares(part: pd.DataFrame | None) -> pd.DataFrame:
        if part is None or part.empty:
            return pd.DataFrame(columns=["reviews", "share"], dtype=float)
        weights = _weights(part)
        reviews = weights.groupby(part["product"]).sum()
        negative = weights.where(part["label"] == "negative", 0.0).groupby(part["product"]).sum()
        table = pd.DataFrame({"reviews": reviews, "share": negative / reviews})
        table.loc[table["reviews"] < min_reviews, "share"] = math.nan
        return table

    now, before = shares(current), shares(previous)
    table = now.join(before["share"].rename("previous"), how="left")
    table = table.loc[table["share"].notna()]
    if table.empty:
        return pd.DataFrame(columns=columns)
    table["change"] = table["share"] - table["previous"]
    weights = _weights(current)
    overall = float(weights.where(current["label"] == "negative", 0.0).sum() / weights.sum())
    bar = max(min_negative_share, overall) - 1e-12  # a product at exactly the bar is listed
    high = table.loc[table["share"] >= bar]
    highest = set(high.sort_values("share", ascending=False).head(top).index)
    rose = table.loc[table["change"] >= min_rise - 1e-12]
    rising_rows = rose.sort_values("change", ascending=False).head(top)
    rising = set(rising_rows.index)
    reasons = {
        product: " and ".join(
            reason
            for reason, chosen in (
                ("highest negative share", highest),
                ("fastest-rising negative share", rising),
            )
            if product in chosen
        )
        for product in highest | rising
    }
    result = table.loc[sorted(reasons)].reset_index(names="product")
    result = result.rename(columns={"share": "negative_share", "previous": "previous_negative_share"})
    result["reason"] = result["product"].map(reasons)
    result["reviews"] = result["reviews"].astype(int)
    return result.sort_values(["negative_share", "product"], ascending=[False, True])[columns].reset_index(
        drop=True
    )


def _is_term(token: str) -> bool:
    """Words of two letters or more and emoji; not "!", "?", single letters or placeholders."""
    if len(token) == 1:
        return ord(token) > 0x2000  # emoji and dingbats carry sentiment
    return not token.startswith(PLACEHOLDER_PREFIX)


def _terms(text: str, stopwords: frozenset[str]) -> set[str]:
    """Distinct words and two-word phrases of a review (stopwords, placeholders and ! ? left out).

    The negation, contrast and intensity words the model keeps ("not", "but", "all") count only
    inside a phrase with a content word ("not work", "leaks all"): alone, or two of them together
    ("all over"), they tell an analyst nothing about the product.
    """
    tokens = [token for token in tokenize(text, stopwords) if _is_term(token)]
    words = {token for token in tokens if token not in KEEP_WORDS}
    phrases = {f"{a} {b}" for a, b in pairwise(tokens) if a not in KEEP_WORDS or b not in KEEP_WORDS}
    return words | phrases


def _term_counts(texts: Iterable[str], stopwords: frozenset[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_terms(text, stopwords))
    return counts


def drivers(
    frame: pd.DataFrame,
    top: int = 15,
    min_count: int = 3,
    language: str = "english",
    prior_scale: float = 1.0,
    max_reviews: int = 3_000,
) -> pd.DataFrame:
    """Words and two-word phrases over-represented in negative versus positive reviews, and vice versa.

    Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin'
    Words"): the prior for each term is its pooled count times `prior_scale`, which shrinks rare
    terms towards no difference; terms are ranked by the z-score of the log-odds difference. Counts
    are reviews containing the term (a term repeated within one review counts once), so one long
    rant cannot dominate. Tokens come from :func:`core.nlp.text.tokenize` with the language's stopwords
    (negations are kept, so "not work" is a phrase).

    :param min_count: a term must appear in at least this many negative+positive reviews.
    :param max_reviews: at most this many reviews per side are read (a fixed random sample), so the
        chart stays interactive on large products; the counts are then those of the sample.
    :return: columns term, words (1 or 2), side (negative | positive: where it is over-represented),
        z, log_odds, negative_reviews, positive_reviews; the `top` terms of each side, strongest first.
    """
    columns = ["term", "words", "side", "z", "log_odds", "negative_reviews", "positive_reviews"]
    stopwords = stopword_set(language)
    sides = {}
    for label in ("negative", "positive"):
        texts = frame.loc[frame["label"] == label, "text"].dropna()
        if len(texts) > max_reviews:
            texts = texts.sample(max_reviews, random_state=0)
        sides[label] = _term_counts(texts, stopwords)
    neg, pos = sides["negative"], sides["positive"]
    if not neg or not pos:
        return pd.DataFrame(columns=columns)
    vocabulary = sorted(neg.keys() | pos.keys())
    y_neg = np.array([neg[t] for t in vocabulary], dtype=float)
    y_pos = np.array([pos[t] for t in vocabulary], dtype=float)
    n_neg, n_pos = y_neg.sum(), y_pos.sum()
    alpha = prior_scale * (y_neg + y_pos)  # the prior covers the whole vocabulary, before min_count
    alpha0 = alpha.sum()
    log_odds = np.log((y_neg + alpha) / (n_neg + alpha0 - y_neg - alpha)) - np.log(
        (y_pos + alpha) / (n_pos + alpha0 - y_pos - alpha)
    )
    z = log_odds / np.sqrt(1.0 / (y_neg + alpha) + 1.0 / (y_pos + alpha))
    table = pd.DataFrame(
        {
            "term": vocabulary,
            "words": [term.count(" ") + 1 for term in vocabulary],
            "z": z,
            "log_odds": log_odds,
            "negative_reviews": y_neg.astype(int),
            "positive_reviews": y_pos.astype(int),
        }
    )
    table = table.loc[table["negative_reviews"] + table["positive_reviews"] >= min_count]
    negative = table.loc[table["z"] > 0].sort_values(["z", "term"], ascending=[False, True]).head(top)
    positive = table.loc[table["z"] < 0].sort_values(["z", "term"], ascending=[True, True]).head(top)
    result = pd.concat(
        [negative.assign(side="negative"), positive.assign(side="positive")], ignore_index=True
    )
    return result[columns]


def mismatches(frame: pd.DataFrame, high: float = 0.75, low: float = 0.25) -> pd.DataFrame:
    """Reviews whose rating and predicted sentiment disagree, most confident first.

    High rating (≥ `high`, 4–5 stars) but negative text, or low rating (≤ `low`, 1–2 stars) but
    positive text: sarcasm, mislabelled data, or model errors.

    :return: the matching rows with a column `mismatch` describing which kind.
    """
    rated = frame.loc[frame["rating"].notna()] if len(frame) else frame
    high_negative = (rated["rating"] >= high) & (rated["label"] == "negative")
    low_positive = (rated["rating"] <= low) & (rated["label"] == "positive")
    result = rated.loc[high_negative | low_positive].copy()
    result["mismatch"] = np.where(
        high_negative[result.index], "high rating, negative text", "low rating, positive text"
    )
    return result.sort_values("confidence", ascending=False, kind="stable").reset_index(drop=True)


def low_confidence(frame: pd.DataFrame, threshold: float = 0.5, limit: int | None = 200) -> pd.DataFrame:
    """Reviews the model was least sure about (confidence below `threshold`), least confident first."""
    result = frame.loc[frame["confidence"].notna() & (frame["confidence"] < threshold)]
    result = result.sort_values("confidence", kind="stable").reset_index(drop=True)
    return result if limit is None else result.head(limit)


def confidence_histogram(frame: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Counts of reviews per confidence bin (equal-width bins over 0–1) and predicted label.

    :return: columns bin_start, bin_end, label, count; every bin and label present (zeros included).
    """
    edges = np.linspace(0.0, 1.0, bins + 1)
    data = _labelled(frame)
    data = data.loc[data["confidence"].notna()]
    index = np.clip(
        np.searchsorted(edges, data["confidence"].to_numpy(dtype=float), side="right") - 1, 0, bins - 1
    )
    counts = Counter(zip(index.tolist(), data["label"].tolist(), strict=True))
    rows = [
        {"bin_start": edges[i], "bin_end": edges[i + 1], "label": label, "count": counts.get((i, label), 0)}
        for i in range(bins)
        for label in LABELS
    ]
    return pd.DataFrame(rows, columns=["bin_start", "bin_end", "label", "count"])
