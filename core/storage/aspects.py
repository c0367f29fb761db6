"""Reading aspect mentions and the analysts' aspect rules (read-only apart from the rules).

Mentions are written by :mod:`core.storage.aspect_scoring`; grouping, naming and ranking them is
:mod:`core.aspect_report`'s job. Rules (``aspect_rules``) are applied when mentions are read, never
to the stored rows, so an analyst's change shows on the next render and can be undone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, delete, func, select, true

from core.storage.engine import write_transaction
from core.storage.schema import AspectCoverage, AspectMention, AspectRule, PredictionRow, Product, Review

RULE_ACTIONS = ("rename", "merge", "hide", "add")
MENTION_COLUMNS = [
    "review_id", "product", "review_date", "aspect", "term", "phrase", "language", "unit_start", "unit_end",
    "label", "negative", "neutral", "positive", "negated",
]  # fmt: skip


def mentions_frame(
    engine: Engine, products: Sequence[str] | None = None, model_version: str | None = None
) -> pd.DataFrame:
    """Every stored mention of `products`' reviews (all products if None), judged by each review's
    latest model version (or by `model_version`), with the review's product and date."""
    if model_version is None:
        on = and_(
            PredictionRow.review_id == AspectMention.review_id,
            PredictionRow.model_version == AspectMention.model_version,
            PredictionRow.is_latest == true(),
        )
        version_match: Any = true()
    else:
        on = and_(
            PredictionRow.review_id == AspectMention.review_id, PredictionRow.model_version == model_version
        )
        version_match = AspectMention.model_version == model_version
    query = (
        select(
            AspectMention.review_id,
            Product.name,
            Review.review_date,
            AspectMention.aspect,
            AspectMention.term,
            AspectMention.phrase,
            AspectMention.language,
            AspectMention.unit_start,
            AspectMention.unit_end,
            AspectMention.label,
            AspectMention.p_negative,
            AspectMention.p_neutral,
            AspectMention.p_positive,
            AspectMention.negated,
        )
        .join(PredictionRow, on)
        .join(Review, Review.id == AspectMention.review_id)
        .join(Product, Product.id == Review.product_id)
        .where(version_match)
    )
    with engine.connect() as conn:
        if products is not None:
            ids = list(conn.execute(select(Product.id).where(Product.name.in_(list(products)))).scalars())
            query = query.where(Review.product_id.in_(ids))
        rows = conn.execute(query).all()
    frame = pd.DataFrame.from_records(rows, columns=MENTION_COLUMNS)
    frame["review_date"] = pd.to_datetime(frame["review_date"], format="ISO8601")
    for column in ("negative", "neutral", "positive"):
        frame[column] = frame[column].astype(float)
    frame["negated"] = frame["negated"].astype(bool)
    # few distinct values in many rows: categories make every later filter and count cheap
    for column in ("product", "aspect", "term", "phrase", "language", "label"):
        frame[column] = frame[column].astype("category")
    return frame


def uncovered_count(engine: Engine, products: Sequence[str] | None = None) -> int:
    """Reviews whose latest prediction has no aspects computed yet (a store from before aspects)."""
    query = (
        select(func.count())
        .select_from(Review)
        .join(PredictionRow, and_(PredictionRow.review_id == Review.id, PredictionRow.is_latest == true()))
        .outerjoin(
            AspectCoverage,
            and_(
                AspectCoverage.review_id == Review.id,
                AspectCoverage.model_version == PredictionRow.model_version,
            ),
        )
        .where(AspectCoverage.review_id.is_(None))
    )
    with engine.connect() as conn:
        if products is not None:
            query = query.where(
                Review.product_id.in_(select(Product.id).where(Product.name.in_(list(products))))
            )
        return int(conn.execute(query).scalar_one())


# --- analyst rules ---------------------------------------------------------------------------------


def aspect_rules(engine: Engine) -> pd.DataFrame:
    """The rules in the order they were made: id, action, aspect, value, user, created_at."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                AspectRule.id,
                AspectRule.action,
                AspectRule.aspect,
                AspectRule.value,
                AspectRule.user,
                AspectRule.created_at,
            ).order_by(AspectRule.id)
        ).all()
    return pd.DataFrame.from_records(rows, columns=["id", "action", "aspect", "value", "user", "created_at"])


def add_rule(engine: Engine, action: str, aspect: str, value: str = "", user: str = "") -> int:
    """Save a rule and return its id.

    * ``rename``: `aspect` is shown as `value`;
    * ``merge``: `aspect`'s mentions count as aspect `value` (a key);
    * ``hide``: `aspect` is not shown;
    * ``add``: a new aspect named `aspect` whose words are `value` (comma-separated); stored mentions
      whose words are among them join it, and imports from now on find it like a catalogue aspect.

    :raises ValueError: an unknown action, a blank aspect, or a blank name/target/word list.
    """
    if action not in RULE_ACTIONS:
        raise ValueError(f"action must be one of {', '.join(RULE_ACTIONS)}, not {action!r}")
    aspect, value = aspect.strip(), value.strip()
    if not aspect:
        raise ValueError("Say which aspect the rule is about.")
    if action in ("rename", "merge") and not value:
        raise ValueError("A rename needs the new name; a merge needs the aspect to merge into.")
    if action == "add":
        words = [w.strip() for w in value.split(",") if w.strip()]
        if not words:
            raise ValueError("List at least one word for the new aspect (comma-separated).")
        value = ", ".join(words)
        if not aspect.startswith("custom:"):
            aspect = "custom:" + aspect
    if action == "merge" and value == aspect:
        raise ValueError("An aspect cannot be merged into itself.")
    with write_transaction(engine) as conn:
        return int(
            conn.execute(
                AspectRule.__table__.insert()
                .values(action=action, aspect=aspect[:120], value=value, user_name=user[:200])
                .returning(AspectRule.__table__.c.id)
            ).scalar_one()
        )


def delete_rule(engine: Engine, rule_id: int) -> None:
    """Undo a rule."""
    with write_transaction(engine) as conn:
        conn.execute(delete(AspectRule).where(AspectRule.id == rule_id))
