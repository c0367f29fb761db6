"""Hand-made store contents for query tests: rows written straight into the tables, exact labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select

from core.storage import rollups
from core.storage.engine import write_transaction
from core.storage.schema import PredictionRow, Product, Review, content_hash

V1_SCORED = datetime(2024, 6, 1)
V0_SCORED = datetime(2024, 5, 1)


@dataclass
class Seed:
    """One review and its predictions: (version, label, confidence, scored_at), latest last."""

    key: str
    product: str
    text: str
    label: str
    confidence: float | None
    rating: float | None = None
    review_date: datetime | None = None
    title: str | None = None
    older: list[tuple[str, str, float]] = field(default_factory=list)  # (version, label, confidence)


SEEDS = [
    Seed("A1", "Alpha", "Great battery life", "positive", 0.9, 1.0, datetime(2024, 1, 1, 10),
         older=[("v0", "negative", 0.6)]),
    Seed("A2", "Alpha", "Battery died after a week", "negative", 0.8, 0.0, datetime(2024, 1, 2)),
    Seed("A3", "Alpha", "It is ok", "neutral", 0.5, 0.5, datetime(2024, 1, 8)),
    Seed("A4", "Alpha", "Terrible screen", "negative", 0.95, 1.0, datetime(2024, 2, 1)),
    Seed("A5", "Alpha", "No date, 100% fine_ok", "positive", 0.6, None, None, title="Fine"),
    Seed("B1", "Beta", "ÉNORME déception", "negative", 0.7, 0.25, datetime(2024, 1, 3, 9)),
    Seed("B2", "Beta", "Love it", "positive", 0.99, 0.75, datetime(2024, 1, 3, 18), title="Battery champion"),
    Seed("B3", "Beta", "???", "unscorable", None, None, datetime(2024, 1, 4)),
    Seed("C1", "Ñandú", "Correcto", "neutral", 0.4, None, datetime(2024, 3, 15)),
]  # fmt: skip


def _probabilities(label: str, confidence: float | None) -> dict[str, float | None]:
    if confidence is None:
        return {"p_negative": None, "p_neutral": None, "p_positive": None}
    rest = (1.0 - confidence) / 2
    return {
        f"p_{name}": confidence if name == label else rest for name in ("negative", "neutral", "positive")
    }


def seed_store(engine: Engine, seeds: list[Seed] = SEEDS) -> dict[str, int]:
    """Write `seeds` (products, reviews, predictions); return review ids by seed key."""
    ids: dict[str, int] = {}
    with write_transaction(engine) as conn:
        names = sorted({s.product for s in seeds})
        conn.execute(Product.__table__.insert(), [{"name": name} for name in names])
        product_ids = dict(conn.execute(select(Product.name, Product.id)).tuples().all())
        for s in seeds:
            ids[s.key] = conn.execute(
                Review.__table__.insert()
                .values(
                    product_id=product_ids[s.product], text=s.text, title=s.title, rating=s.rating,
                    rating_raw=None if s.rating is None else str(s.rating * 4 + 1), review_date=s.review_date,
                    source="csv", content_hash=content_hash(s.text, s.title), author=None,
                )
                .returning(Review.__table__.c.id)
            ).scalar_one()  # fmt: skip
            predictions = [(version, label, conf, V0_SCORED, False) for version, label, conf in s.older]
            predictions.append(("v1", s.label, s.confidence, V1_SCORED, True))
            for version, label, conf, scored_at, latest in predictions:
                conn.execute(
                    PredictionRow.__table__.insert().values(
                        review_id=ids[s.key], model_version=version, label=label, confidence=conf,
                        scored_at=scored_at, is_latest=latest, **_probabilities(label, conf),
                    )
                )  # fmt: skip
        rollups.rebuild(conn)  # the seed bypasses the importer, so recompute the overview rollup
    return ids


def assert_rollup_consistent(engine: Engine) -> None:
    """The maintained daily_sentiment rows equal a recomputation from reviews and predictions."""
    from core.storage.schema import DailySentiment

    def rows(query: object) -> list[tuple[object, ...]]:
        result = conn.execute(query)  # type: ignore[call-overload]
        return sorted((*row[:6], round(float(row[6]), 6), row[7]) for row in result)

    table = DailySentiment.__table__
    columns = ["product_id", "day", "week", "month", "label", "reviews", "rating_sum", "rating_count"]
    with engine.connect() as conn:
        assert rows(select(*(table.c[name] for name in columns))) == rows(rollups.computed(conn))
