"""Keep ``daily_sentiment`` (counts per product, day and latest label) in step with the reviews.

Every write that changes which reviews exist or what their latest label is applies a delta here,
inside its own transaction: imports add, re-scoring moves counts from the old label to the new,
deleting an import subtracts. :func:`rebuild` recomputes the table from scratch (a repair, and what
tests compare against).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, select, true

from core.storage.schema import DailySentiment, PredictionRow, Review, dialect_insert

KEYS = ["product_id", "day", "label"]
VALUES = ["reviews", "rating_sum", "rating_count"]
_CHUNK = 5_000
_LATEST = and_(PredictionRow.review_id == Review.id, PredictionRow.is_latest == true())


def day_key(value: datetime | None) -> str:
    """``YYYY-MM-DD`` of a naive UTC datetime, or ``""`` when there is no date."""
    return "" if value is None or pd.isna(value) else value.date().isoformat()


def week_key(day: str) -> str:
    """The Monday of a ``YYYY-MM-DD`` day's week (``""`` stays ``""``)."""
    if not day:
        return ""
    value = date.fromisoformat(day)
    return (value - timedelta(days=value.weekday())).isoformat()


def month_key(day: str) -> str:
    """The first of a ``YYYY-MM-DD`` day's month (``""`` stays ``""``)."""
    return f"{day[:7]}-01" if day else ""


def deltas(
    product_ids: Sequence[int],
    dates: Sequence[datetime | None],
    labels: Sequence[str | None],
    ratings: Sequence[float | None],
    sign: int = 1,
) -> pd.DataFrame:
    """Per (product, day, label): +1 (or -1 with `sign=-1`) per review, with rating sum and count."""
    frame = pd.DataFrame(
        {
            "product_id": list(product_ids),
            "day": [day_key(value) for value in dates],
            "label": [label or "" for label in labels],
            "rating": pd.Series(list(ratings), dtype=float),
        }
    )
    frame["reviews"] = sign
    frame["rating_sum"] = frame["rating"].fillna(0.0) * sign
    frame["rating_count"] = frame["rating"].notna().astype(int) * sign
    return frame.groupby(KEYS, as_index=False)[VALUES].sum()


def latest_rows(conn: Connection, condition: ColumnElement[bool]) -> pd.DataFrame:
    """Product, date, rating and latest label of the reviews matching `condition`."""
    query = (
        select(Review.product_id, Review.review_date, Review.rating, PredictionRow.label)
        .outerjoin(
            PredictionRow, and_(PredictionRow.review_id == Review.id, PredictionRow.is_latest == true())
        )
        .where(condition)
    )
    return pd.DataFrame(conn.execute(query).all(), columns=["product_id", "review_date", "rating", "label"])


def deltas_of(rows: pd.DataFrame, sign: int = 1) -> pd.DataFrame:
    """:func:`deltas` of a :func:`latest_rows` frame."""
    dates = [None if pd.isna(value) else pd.Timestamp(value).to_pydatetime() for value in rows["review_date"]]
    return deltas(rows["product_id"].tolist(), dates, rows["label"].tolist(), rows["rating"].tolist(), sign)


def apply(conn: Connection, changes: Sequence[pd.DataFrame]) -> None:
    """Add `changes` (frames of deltas) to the table; rows whose count drops to zero are removed."""
    changes = [frame for frame in changes if not frame.empty]
    if not changes:
        return
    total = pd.concat(changes).groupby(KEYS, as_index=False)[VALUES].sum()
    total = total.loc[(total["reviews"] != 0) | (total["rating_count"] != 0)]
    if total.empty:
        return
    table = DailySentiment.__table__
    statement = dialect_insert(conn, table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.product_id, table.c.day, table.c.label],
        set_={name: table.c[name] + statement.excluded[name] for name in VALUES},
    )
    params: list[dict[str, Any]] = [
        {
            "product_id": int(p),
            "day": d,
            "week": week_key(d),
            "month": month_key(d),
            "label": label,
            "reviews": int(n),
            "rating_sum": float(s),
            "rating_count": int(c),
        }
        for p, d, label, n, s, c in total[KEYS + VALUES].itertuples(index=False)
    ]
    for start in range(0, len(params), _CHUNK):
        conn.execute(statement, params[start : start + _CHUNK])
    touched = sorted({row["product_id"] for row in params})
    conn.execute(delete(table).where(table.c.product_id.in_(touched), table.c.reviews <= 0))


def computed(conn: Connection) -> Any:
    """The SELECT computing the table's rows from reviews and their latest predictions."""
    if conn.dialect.name == "sqlite":
        day = func.coalesce(func.substr(Review.review_date, 1, 10), "")  # stored as 'YYYY-MM-DD HH:MM:SS'
        week = func.coalesce(func.date(Review.review_date, "weekday 0", "-6 days"), "")  # back to Monday
    else:
        day = func.coalesce(func.to_char(Review.review_date, "YYYY-MM-DD"), "")
        week = func.coalesce(func.to_char(func.date_trunc("week", Review.review_date), "YYYY-MM-DD"), "")
    month = func.coalesce(func.substr(func.nullif(day, ""), 1, 7).op("||")("-01"), "")
    label = func.coalesce(PredictionRow.label, "")
    return (
        select(
            Review.product_id,
            day.label("day"),
            func.max(week).label("week"),
            func.max(month).label("month"),
            label.label("label"),
            func.count().label("reviews"),
            func.coalesce(func.sum(Review.rating), 0.0).label("rating_sum"),
            func.count(Review.rating).label("rating_count"),
        )
        .outerjoin(
            PredictionRow, and_(PredictionRow.review_id == Review.id, PredictionRow.is_latest == true())
        )
        .group_by(Review.product_id, day, label)
    )


def rebuild(conn: Connection) -> None:
    """Recompute the whole table from reviews and their latest predictions (inside a transaction)."""
    conn.execute(delete(DailySentiment))
    names = ["product_id", "day", "week", "month", "label", *VALUES]
    columns = [DailySentiment.__table__.c[name] for name in names]
    conn.execute(insert(DailySentiment).from_select(columns, computed(conn)))
