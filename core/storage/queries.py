"""Read-only queries for the dashboard and the CLI; each returns a DataFrame (or a dict for health).

Predictions: by default each review's latest stored prediction (``is_latest``); pass
`model_version` to read one version's predictions instead (reviews it has not scored get no label).
Only the three sentiment labels count towards shares; "unscorable" predictions do not.
All timestamps are naive UTC.

Overview queries (:func:`product_summary`, :func:`sentiment_over_time`, :func:`daily_counts`) read the
``daily_sentiment`` rollup for latest labels, so they stay well under a second on a million reviews;
per-product queries walk the ``(product_id, review_date)`` index.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Engine, Integer, Select, and_, cast, func, or_, select, text, true
from sqlalchemy.engine import Connection

from core.storage.engine import count_rows
from core.storage.schema import (
    AppSetting,
    DailySentiment,
    ImportRun,
    PredictionRow,
    Product,
    Review,
    SiteRating,
)
from core.storage.site_ratings import to_stars

LABELS = ("negative", "neutral", "positive")  # the same tuple as core.inference.predictor.LABELS
FREQUENCIES = {"D": "D", "day": "D", "W": "W", "week": "W", "M": "M", "month": "M"}
REVIEW_COLUMNS = [
    "review_id",
    "product",
    "text",
    "title",
    "rating",
    "rating_raw",
    "review_date",
    "author",
    "source",
    "source_url",
    "import_id",
    "label",
    "negative",
    "neutral",
    "positive",
    "confidence",
    "model_version",
    "language",  # detected at import (v4): english | spanish | unknown
    "extra",  # the file's other columns (v4): {cleaned header: text or number}, or None
]
DateLike: TypeAlias = date | datetime | str | pd.Timestamp | None


def _prediction_join(model_version: str | None) -> ColumnElement[bool]:
    """ON clause joining each review to its latest prediction, or to one version's prediction."""
    if model_version is None:
        return and_(PredictionRow.review_id == Review.id, PredictionRow.is_latest == true())
    return and_(PredictionRow.review_id == Review.id, PredictionRow.model_version == model_version)


def _product_ids(conn: Connection, products: Sequence[str]) -> list[int]:
    query = select(Product.id).where(Product.name.in_(list(products)))
    return list(conn.execute(query).scalars())


def _bounds(start: DateLike, end: DateLike) -> tuple[datetime | None, datetime | None, bool]:
    """(start, end, end_inclusive). A bare date as `end` includes that whole day."""
    lower = None if start is None else pd.Timestamp(start).to_pydatetime()
    if end is None:
        return lower, None, True
    whole_day = (isinstance(end, date) and not isinstance(end, datetime)) or (
        isinstance(end, str) and len(end.strip()) <= 10
    )
    upper = pd.Timestamp(end).to_pydatetime()
    if whole_day:
        return lower, upper + timedelta(days=1), False
    return lower, upper, True


def _midnight(value: datetime) -> datetime:
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


def _like_pattern(search: str) -> str:
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_clause(dialect: str, search: str) -> ColumnElement[bool]:
    """Case-insensitive substring match on text or title (Unicode-aware on both backends)."""
    if dialect == "sqlite":
        if search.isascii():  # SQLite's LIKE already ignores ASCII case, and runs in C
            pattern = _like_pattern(search)
            return or_(Review.text.like(pattern, escape="\\"), Review.title.like(pattern, escape="\\"))
        pattern = _like_pattern(search.casefold())
        return or_(
            func.casefold(Review.text).like(pattern, escape="\\"),
            func.casefold(Review.title).like(pattern, escape="\\"),
        )
    pattern = _like_pattern(search)
    return or_(Review.text.ilike(pattern, escape="\\"), Review.title.ilike(pattern, escape="\\"))


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=columns)


def _driver_frame(result: Any, columns: list[str]) -> pd.DataFrame:
    """A frame from the driver's own tuples, read column-wise.

    Skips SQLAlchemy's row objects and per-value type processing (a third to a half of the time
    on 20k–100k rows); callers convert dates themselves (SQLite returns them as ISO text).
    """
    values = list(zip(*result.cursor.fetchall(), strict=True)) or [()] * len(columns)
    result.close()
    return pd.DataFrame(dict(zip(columns, values, strict=True)), columns=columns)


def product_names(engine: Engine) -> list[str]:
    """All product names, alphabetically."""
    with engine.connect() as conn:
        return list(conn.execute(select(Product.name).order_by(Product.name)).scalars())


def latest_site_ratings(engine: Engine, products: Sequence[str] | None = None) -> pd.DataFrame:
    """Each product's most recent site rating (`core.storage.site_ratings`), newest scrape first.

    :return: columns product, stars (on 1-5), value, best, worst, ratings, reviews, source_url,
        observed_at; one row per product that has one.
    """
    columns = ["product", "value", "best", "worst", "ratings", "reviews", "source_url", "observed_at"]
    query = (
        select(Product.name, SiteRating.value, SiteRating.best, SiteRating.worst, SiteRating.ratings)
        .add_columns(SiteRating.reviews, SiteRating.source_url, SiteRating.observed_at)
        .join(Product, Product.id == SiteRating.product_id)
        .order_by(SiteRating.observed_at, SiteRating.id)
    )
    if products is not None:
        query = query.where(Product.name.in_(list(products)))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=columns)
    frame = frame.drop_duplicates("product", keep="last")
    frame.insert(1, "stars", to_stars(frame["value"], frame["best"], frame["worst"]))
    return frame.sort_values("observed_at", ascending=False).reset_index(drop=True)


def product_summary(engine: Engine, model_version: str | None = None) -> pd.DataFrame:
    """One row per product: reviews, label shares, average rating (0–1), first and last review date.

    Columns: product, reviews, scored (reviews with a sentiment label), negative, neutral, positive
    (shares of `scored`), avg_rating, first_date, last_date. Sorted by product name. Latest labels
    come from the ``daily_sentiment`` rollup (fast on millions of reviews); another `model_version`
    is counted from the predictions themselves.
    """
    first = select(func.min(Review.review_date)).where(Review.product_id == Product.id).scalar_subquery()
    last = select(func.max(Review.review_date)).where(Review.product_id == Product.id).scalar_subquery()
    with engine.connect() as conn:
        names = conn.execute(select(Product.id, Product.name, first, last)).all()
        if model_version is None:
            rollup_rows = conn.execute(
                select(
                    DailySentiment.product_id, DailySentiment.label, func.sum(DailySentiment.reviews),
                    func.sum(DailySentiment.rating_sum), func.sum(DailySentiment.rating_count),
                ).group_by(DailySentiment.product_id, DailySentiment.label)
            ).all()  # fmt: skip
            rollup = _frame(rollup_rows, ["product_id", "label", "count", "rating_sum", "rating_count"])
            stats = rollup.groupby("product_id")[["count", "rating_sum", "rating_count"]].sum()
            stats = stats.rename(columns={"count": "reviews"})
            labels = rollup.loc[rollup["label"].isin(LABELS), ["product_id", "label", "count"]]
        else:
            review_rows = conn.execute(
                select(
                    Review.product_id, func.count(), func.sum(Review.rating), func.count(Review.rating)
                ).group_by(Review.product_id)
            ).all()
            stats = _frame(review_rows, ["product_id", "reviews", "rating_sum", "rating_count"]).set_index(
                "product_id"
            )
            label_rows = conn.execute(
                select(Review.product_id, PredictionRow.label, func.count())
                .join(PredictionRow, _prediction_join(model_version))
                .where(PredictionRow.label.in_(LABELS))
                .group_by(Review.product_id, PredictionRow.label)
            ).all()
            labels = _frame(label_rows, ["product_id", "label", "count"])
    columns = ["product", "reviews", "scored", *LABELS, "avg_rating", "first_date", "last_date"]
    if not names:
        return pd.DataFrame(columns=columns)
    frame = _frame(names, ["product_id", "product", "first_date", "last_date"]).set_index("product_id")
    frame = frame.join(stats)
    counts = labels.pivot_table(
        index="product_id", columns="label", values="count", aggfunc="sum", fill_value=0
    )
    counts = counts.reindex(index=frame.index, columns=list(LABELS), fill_value=0).fillna(0)
    frame["reviews"] = frame["reviews"].fillna(0).astype(int)
    frame["scored"] = counts.sum(axis=1).astype(int)
    denominator = frame["scored"].where(frame["scored"] > 0)
    for label in LABELS:
        frame[label] = (counts[label] / denominator).astype(float)
    rated = frame["rating_count"].astype(float)
    frame["avg_rating"] = (frame["rating_sum"].astype(float) / rated.where(rated > 0)).astype(float)
    for column in ("first_date", "last_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame[columns].sort_values("product").reset_index(drop=True)


def daily_counts(
    engine: Engine, products: Sequence[str] | None = None, start: DateLike = None, end: DateLike = None
) -> pd.DataFrame:
    """Reviews per product, day and latest label, with rating sums: the overview's input at any scale.

    Read from the ``daily_sentiment`` rollup (a few rows per product and day), so an overview of a
    million reviews loads thousands of rows instead of a million. Undated reviews have no
    review_date; reviews without a prediction have label "". Date bounds are whole days.

    For the overview, read the last two KPI periods (``start=newest - 60 days``) for
    :func:`core.analytics.kpis` and :func:`core.analytics.products_needing_attention`, and take the
    long trend from :func:`sentiment_over_time` (weekly rows, not daily).

    :return: columns product, review_date (the day), label, count, rating_sum, rating_count, rating
        (their mean); the analytics functions weigh each row by `count`.
    """
    lower, upper, inclusive = _bounds(start, end)
    query = select(
        DailySentiment.product_id, DailySentiment.day, DailySentiment.label, DailySentiment.reviews,
        DailySentiment.rating_sum, DailySentiment.rating_count,
    )  # fmt: skip
    with engine.connect() as conn:
        if products is not None:
            query = query.where(DailySentiment.product_id.in_(_product_ids(conn, products)))
        if lower is not None:
            query = query.where(DailySentiment.day >= lower.date().isoformat())
        if upper is not None:
            last_day = upper.date().isoformat()
            query = query.where(
                (DailySentiment.day <= last_day) if inclusive else (DailySentiment.day < last_day)
            )
        if lower is not None or upper is not None:
            query = query.where(DailySentiment.day != "")
        columns = ["product_id", "review_date", "label", "count", "rating_sum", "rating_count"]
        frame = _driver_frame(conn.execute(query), columns)
        names = dict(conn.execute(select(Product.id, Product.name)).tuples().all())
    frame["review_date"] = pd.to_datetime(frame["review_date"], format="%Y-%m-%d", errors="coerce")
    frame.insert(0, "product", frame.pop("product_id").map(names))
    frame["rating"] = frame["rating_sum"] / frame["rating_count"].where(frame["rating_count"] > 0)
    return frame


def reviews_query(
    conn: Connection,
    products: Sequence[str] | None = None,
    start: DateLike = None,
    end: DateLike = None,
    labels: Sequence[str] | None = None,
    min_rating: float | None = None,
    max_rating: float | None = None,
    search: str | None = None,
    model_version: str | None = None,
) -> Select[Any]:
    """The filtered review SELECT behind :func:`reviews_frame` (also used for aggregates)."""
    query = (
        select(
            Review.id.label("review_id"),
            Product.name.label("product"),
            Review.text,
            Review.title,
            Review.rating,
            Review.rating_raw,
            Review.review_date,
            Review.author,
            Review.source,
            Review.source_url,
            Review.import_id,
            PredictionRow.label,
            PredictionRow.p_negative.label("negative"),
            PredictionRow.p_neutral.label("neutral"),
            PredictionRow.p_positive.label("positive"),
            PredictionRow.confidence,
            PredictionRow.model_version,
            Review.language,
            Review.extra,
        )
        .join(Product, Product.id == Review.product_id)
        .outerjoin(PredictionRow, _prediction_join(model_version))
    )
    if products is not None:
        # resolved to ids first so the planner walks the (product_id, review_date) index
        query = query.where(Review.product_id.in_(_product_ids(conn, products)))
    lower, upper, inclusive = _bounds(start, end)
    if lower is not None:
        query = query.where(Review.review_date >= lower)
    if upper is not None:
        query = query.where(Review.review_date <= upper if inclusive else Review.review_date < upper)
    if labels is not None:
        query = query.where(PredictionRow.label.in_(list(labels)))
    if min_rating is not None:
        query = query.where(Review.rating >= min_rating)
    if max_rating is not None:
        query = query.where(Review.rating <= max_rating)
    if search:
        query = query.where(_search_clause(conn.dialect.name, search.strip()))
    return query


def reviews_frame(
    engine: Engine,
    products: Sequence[str] | None = None,
    start: DateLike = None,
    end: DateLike = None,
    labels: Sequence[str] | None = None,
    min_rating: float | None = None,
    max_rating: float | None = None,
    search: str | None = None,
    model_version: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Reviews with their predictions, newest review date first (undated last), filtered.

    :param products: product names (None: all).
    :param start: earliest review date; `end`: latest (a bare date includes that whole day).
        Date filters exclude undated reviews.
    :param labels: keep these predicted labels.
    :param min_rating: / `max_rating`: bounds on the 0–1 rating (unrated reviews are excluded).
    :param search: case-insensitive substring of the text or title.
    :param model_version: read this version's predictions (default: each review's latest).
    :param limit: at most this many rows.
    """
    with engine.connect() as conn:
        query = reviews_query(
            conn, products, start, end, labels, min_rating, max_rating, search, model_version
        )
        newest_first = Review.review_date.desc()
        if conn.dialect.name != "sqlite":  # SQLite sorts NULL lowest, so DESC already puts it last
            newest_first = newest_first.nulls_last()
        query = query.order_by(newest_first, Review.id.desc())
        if limit is not None:
            query = query.limit(limit)
        frame = _driver_frame(conn.execute(query), REVIEW_COLUMNS)
    frame["review_date"] = pd.to_datetime(frame["review_date"], format="ISO8601")
    for column in ("rating", "negative", "neutral", "positive", "confidence"):
        frame[column] = frame[column].astype(float)
    frame["extra"] = _json_objects(frame["extra"])
    return frame


def _json_objects(values: pd.Series) -> pd.Series:
    """The driver's JSON column as dicts: SQLite returns text, psycopg already decoded objects."""
    if not values.map(lambda v: isinstance(v, str)).any():
        return values
    return values.map(lambda v: json.loads(v) if isinstance(v, str) else v)


def _normalise_freq(freq: str) -> str:
    try:
        return FREQUENCIES[freq]
    except KeyError:
        raise ValueError(f"freq must be one of D, W, M (day, week, month), not {freq!r}") from None


def period_start(dates: pd.Series, freq: str) -> pd.Series:
    """The start of each date's day, week (Monday) or month."""
    freq = _normalise_freq(freq)
    dates = pd.to_datetime(dates)
    if freq == "D":
        return dates.dt.normalize()
    if freq == "W":
        return (dates - pd.to_timedelta(dates.dt.weekday, unit="D")).dt.normalize()
    return dates.dt.to_period("M").dt.start_time


def _day_counts(
    engine: Engine,
    products: Sequence[str] | None,
    start: DateLike,
    end: DateLike,
    model_version: str | None,
    freq: str = "D",
) -> pd.DataFrame:
    """Per product, day and label: review counts, aggregated in the database.

    Latest labels with whole-day bounds read the ``daily_sentiment`` rollup; anything else (another
    model version, bounds with a time of day) aggregates the reviews themselves.
    """
    lower, upper, inclusive = _bounds(start, end)
    whole_days = (lower is None or lower == _midnight(lower)) and (
        upper is None or (not inclusive and upper == _midnight(upper))
    )
    with engine.connect() as conn:
        if model_version is None and whole_days:
            # grouped by period in the database: a weekly view of 50 products is ~16k rows, not ~110k days
            period = {"D": DailySentiment.day, "W": DailySentiment.week, "M": DailySentiment.month}[freq]
            query = (
                select(
                    DailySentiment.product_id, period.label("period"), DailySentiment.label,
                    func.sum(DailySentiment.reviews),
                )
                .where(DailySentiment.day != "", DailySentiment.label.in_(LABELS))
                .group_by(DailySentiment.product_id, period, DailySentiment.label)
            )  # fmt: skip
            if products is not None:
                query = query.where(DailySentiment.product_id.in_(_product_ids(conn, products)))
            if lower is not None:
                query = query.where(DailySentiment.day >= lower.date().isoformat())
            if upper is not None:
                query = query.where(DailySentiment.day < upper.date().isoformat())
            frame = _frame(conn.execute(query).all(), ["product_id", "review_date", "label", "count"])
            names = dict(conn.execute(select(Product.id, Product.name)).tuples().all())
            frame["review_date"] = pd.to_datetime(frame["review_date"], format="%Y-%m-%d")
            frame.insert(0, "product", frame.pop("product_id").map(names))
            return frame
        base = reviews_query(conn, products, start, end, None, None, None, None, model_version).subquery()
        if conn.dialect.name == "sqlite":
            day = func.date(base.c.review_date)
        else:
            day = func.date_trunc("day", base.c.review_date)
        query = (
            select(base.c.product, day.label("day"), base.c.label, func.count())
            .where(base.c.review_date.is_not(None), base.c.label.in_(LABELS))
            .group_by(base.c.product, day, base.c.label)
        )
        rows = conn.execute(query).all()
    frame = _frame(rows, ["product", "review_date", "label", "count"])
    frame["review_date"] = pd.to_datetime(frame["review_date"])
    return frame


def sentiment_over_time(
    source: Engine | pd.DataFrame,
    freq: str = "W",
    products: Sequence[str] | None = None,
    start: DateLike = None,
    end: DateLike = None,
    model_version: str | None = None,
) -> pd.DataFrame:
    """Label counts and shares per period and product.

    :param source: an engine (aggregated in the database) or a frame from :func:`reviews_frame`
        (then `products`, `start`, `end` and `model_version` are ignored).
    :param freq: ``D``, ``W`` (weeks start on Monday) or ``M``.
    :return: columns period (period start), product, label, count, share, volume. Every period with
        reviews has all three labels; share is count / volume; undated and unlabelled reviews are left out.
    """
    freq = _normalise_freq(freq)
    columns = ["period", "product", "label", "count", "share", "volume"]
    if isinstance(source, pd.DataFrame):
        data = source.loc[source["review_date"].notna() & source["label"].isin(LABELS)]
        data = data.assign(count=1)[["product", "review_date", "label", "count"]]
    else:
        data = _day_counts(source, products, start, end, model_version, freq)
    if data.empty:
        return pd.DataFrame(columns=columns)
    data = data.assign(period=period_start(data["review_date"], freq))
    counts = data.groupby(["period", "product", "label"])["count"].sum()
    present = counts.index.droplevel("label").unique()
    full = pd.MultiIndex.from_tuples(
        [(period, product, label) for period, product in present for label in LABELS],
        names=["period", "product", "label"],
    )
    frame = counts.reindex(full, fill_value=0).rename("count").reset_index()
    frame["count"] = frame["count"].astype(int)
    frame["volume"] = frame.groupby(["period", "product"])["count"].transform("sum").astype(int)
    frame["share"] = frame["count"] / frame["volume"]
    return frame[columns].sort_values(["product", "period", "label"]).reset_index(drop=True)


def rating_label_crosstab(source: pd.DataFrame | Engine, **filters: Any) -> pd.DataFrame:
    """Counts of reviews per star level (rows 1–5) and predicted label (columns).

    Ratings (0–1) map to stars as round(rating × 4) + 1, so a 1–5 scale maps exactly and other
    scales land on the nearest star. Reviews without a rating or a sentiment label are left out;
    the frame is empty when none are left.

    :param source: a frame from :func:`reviews_frame`, or an engine plus :func:`reviews_frame` filters.
    """
    if isinstance(source, pd.DataFrame):
        data = source.loc[source["rating"].notna() & source["label"].isin(LABELS), ["rating", "label"]]
        data = data.assign(count=1)
    else:
        filters.pop("limit", None)
        with source.connect() as conn:  # counted in the database: one row per distinct rating and label
            base = reviews_query(conn, **filters).subquery()
            rows = conn.execute(
                select(base.c.rating, base.c.label, func.count())
                .where(base.c.rating.is_not(None), base.c.label.in_(LABELS))
                .group_by(base.c.rating, base.c.label)
            ).all()
        data = _frame(rows, ["rating", "label", "count"])
    if data.empty:
        return pd.DataFrame(columns=list(LABELS), index=pd.Index([], name="stars"), dtype=int)
    stars = np.floor(data["rating"].astype(float).clip(0, 1) * 4 + 0.5).astype(int) + 1
    table = data.assign(stars=stars).pivot_table(
        index="stars", columns="label", values="count", aggfunc="sum"
    )
    table = table.reindex(index=range(1, 6), columns=list(LABELS)).fillna(0)
    table.index.name, table.columns.name = "stars", None
    return table.astype(int)


IMPORT_COLUMNS = [
    "import_id",
    "kind",
    "source_name",
    "user",
    "started_at",
    "finished_at",
    "status",
    "rows_read",
    "stored",
    "duplicates",
    "rejected",
    "reject_reasons",
    "pages",
    "errors",
    "products",
    "model_version",
    "seconds",
]


def list_imports(engine: Engine, limit: int | None = 100, kind: str | None = None) -> pd.DataFrame:
    """The import history, newest first (uploads, scrapes and manual entries)."""
    query = select(
        ImportRun.id,
        ImportRun.kind,
        ImportRun.source_name,
        ImportRun.user,
        ImportRun.started_at,
        ImportRun.finished_at,
        ImportRun.status,
        ImportRun.rows_read,
        ImportRun.stored,
        ImportRun.duplicates,
        ImportRun.rejected,
        ImportRun.reject_reasons,
        ImportRun.pages,
        ImportRun.errors,
        ImportRun.products,
        ImportRun.model_version,
        ImportRun.seconds,
    ).order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
    if kind is not None:
        query = query.where(ImportRun.kind == kind)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        frame = _frame(conn.execute(query).all(), IMPORT_COLUMNS)
    for column in ("started_at", "finished_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def model_versions_in_store(engine: Engine) -> pd.DataFrame:
    """Model versions with predictions in the store, most recently used first.

    Columns: model_version, predictions, latest (reviews whose latest prediction is this version),
    first_scored, last_scored.
    """
    latest = func.sum(cast(PredictionRow.is_latest, Integer))
    query = (
        select(
            PredictionRow.model_version,
            func.count(),
            latest,
            func.min(PredictionRow.scored_at),
            func.max(PredictionRow.scored_at),
        )
        .group_by(PredictionRow.model_version)
        .order_by(func.max(PredictionRow.scored_at).desc(), PredictionRow.model_version)
    )
    with engine.connect() as conn:
        columns = ["model_version", "predictions", "latest", "first_scored", "last_scored"]
        frame = _frame(conn.execute(query).all(), columns)
    frame["latest"] = frame["latest"].fillna(0).astype(int)
    for column in ("first_scored", "last_scored"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


# A loose index scan: one index seek per distinct version instead of reading every prediction.
_DISTINCT_VERSIONS = text(
    "WITH RECURSIVE v(m) AS ("
    " SELECT min(model_version) FROM predictions"
    " UNION ALL"
    " SELECT (SELECT min(model_version) FROM predictions WHERE model_version > v.m)"
    " FROM v WHERE v.m IS NOT NULL"
    ") SELECT m FROM v WHERE m IS NOT NULL"
)


def _run_info(conn: Connection, kinds: Sequence[str]) -> dict[str, Any] | None:
    row = conn.execute(
        select(
            ImportRun.id,
            ImportRun.kind,
            ImportRun.source_name,
            ImportRun.status,
            ImportRun.started_at,
            ImportRun.finished_at,
            ImportRun.stored,
            ImportRun.user,
        )
        .where(ImportRun.kind.in_(list(kinds)))
        .order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    keys = ["import_id", "kind", "source_name", "status", "started_at", "finished_at", "stored", "user"]
    return dict(zip(keys, row, strict=True))


def store_health(engine: Engine) -> dict[str, Any]:
    """A health summary: backend, database (password hidden), schema version, row counts,
    model versions, and the last import and last scrape (time, status, stored).
    """
    counts = count_rows(engine)
    with engine.connect() as conn:
        version = conn.execute(select(AppSetting.value).where(AppSetting.key == "schema_version")).scalar()
        last_import = _run_info(conn, ("csv", "manual"))
        last_scrape = _run_info(conn, ("scrape",))
        versions = list(conn.execute(_DISTINCT_VERSIONS).scalars())
    return {
        "backend": engine.dialect.name,
        "database": engine.url.render_as_string(hide_password=True),
        "schema_version": int(version) if version is not None else None,
        "products": counts["products"],
        "reviews": counts["reviews"],
        "predictions": counts["predictions"],
        "imports": counts["imports"],
        "model_versions": sorted(versions),
        "last_import": last_import,
        "last_scrape": last_scrape,
    }
