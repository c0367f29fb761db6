"""Aspect mentions computed and stored: at import, on re-scoring, and once for older stores.

Like :mod:`core.storage.importer` (which calls it), this is where inference meets storage: the
mentions come from :mod:`core.nlp.aspects`, their sentiment from the model's per-unit scores
(:func:`core.inference.sentences.unit_scores`: the model's own sentence probabilities for a whole
sentence, a contrast clause scored as a text of its own), one row per (review, aspect, unit) and model version
in ``aspect_mentions``; ``aspect_coverage`` records every (review, version) done, mentions or not.

:func:`prepare` runs before the write transaction (extraction and scoring never hold SQLite's write
lock); :func:`write` inserts inside the caller's transaction, so an import's reviews and their aspects
commit together.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, Engine, and_, exists, select, true

from core.inference.sentences import unit_scores
from core.logs import log_event
from core.nlp.aspect_catalogue import CatalogueAspect
from core.nlp.aspects import AspectExtractor, default_extractor
from core.nlp.language import UNKNOWN, detect_language
from core.nlp.sentences import has_contrast, split_sentences
from core.storage.engine import write_transaction
from core.storage.schema import AspectCoverage, AspectMention, AspectRule, PredictionRow, Product, Review

if TYPE_CHECKING:
    from core.inference.predictor import Predictor

LABELS = ("negative", "neutral", "positive")
BACKFILL_CHUNK = 5_000
REVIEW_WEIGHT = 0.5  # how much a review's own verdict tempers its sentences' (see _blend)
MENTION_FIELDS = (
    "review_id", "model_version", "aspect", "term", "phrase", "language", "unit_start", "unit_end", "label",
    "p_negative", "p_neutral", "p_positive", "negated",
)  # fmt: skip


@dataclass(frozen=True)
class PreparedMentions:
    """Mentions of a list of texts, by position: ``rows[i]`` are text i's mention rows without the
    review id and model version (``MENTION_FIELDS[2:]``)."""

    rows: list[list[tuple[Any, ...]]]
    seconds: float


def extractor_for(conn: Connection) -> AspectExtractor:
    """The extractor with the analysts' added aspects (``aspect_rules`` action ``add``)."""
    added = conn.execute(select(AspectRule.aspect, AspectRule.value).where(AspectRule.action == "add")).all()
    if not added:
        return default_extractor()
    extra = [
        CatalogueAspect(
            key,
            {"english": key.split(":", 1)[-1], "spanish": key.split(":", 1)[-1]},
            {
                lang: tuple(w.strip() for w in value.split(",") if w.strip())
                for lang in ("english", "spanish")
            },
        )
        for key, value in added
    ]
    return AspectExtractor(extra)


def _language(text: str) -> str:
    detected = detect_language(text[:400])
    return "english" if detected == UNKNOWN else detected


def _blend(unit: list[float], review: np.ndarray | None, clause: bool) -> list[float]:
    """A sentence's probabilities tempered by its review's: the model is unsure on a bare factual
    sentence ("Battery easily lasts a week of office use."; its sentence head reads the sentence
    alone), which its review ("Love it! ... Highly recommend.") settles.
    p ∝ p_unit · p_review^REVIEW_WEIGHT. A contrast clause keeps its own: its review is mixed by
    definition, and that is what the clause separates.
    """
    if clause or review is None or np.isnan(review).any():
        return unit
    mixed = np.asarray(unit) * np.power(np.clip(review, 1e-6, 1.0), REVIEW_WEIGHT)
    return (mixed / mixed.sum()).tolist()


def prepare(
    predictor: Predictor,
    texts: Sequence[str],
    extractor: AspectExtractor | None = None,
    review_probs: np.ndarray | None = None,
) -> PreparedMentions:
    """Find the mentions of `texts` and score the units that hold one (all in one batched pass).

    `review_probs` (n × 3, negative/neutral/positive) are the reviews' own probabilities; a sentence
    that is not a contrast clause is tempered by them (:func:`_blend`).

    A unit whose problem word is negated ("no wobble at all") and that the model calls negative is
    read as positive: its negative and positive probabilities swap (the absence of a fault is praise).
    """
    started = time.perf_counter()
    extractor = extractor or default_extractor()
    languages = [_language(text) if isinstance(text, str) else "english" for text in texts]
    found = [extractor.mentions(text, lang) for text, lang in zip(texts, languages, strict=True)]
    units = [sorted({(m.unit_start, m.unit_end) for m in mentions}) for mentions in found]
    scores = unit_scores(predictor, [t if isinstance(t, str) else "" for t in texts], units)
    rows: list[list[tuple[Any, ...]]] = []
    for i, (mentions, own_scores, language) in enumerate(zip(found, scores, languages, strict=True)):
        by_unit = {(s.start, s.end): s for s in own_scores}
        text = texts[i]
        sentences = set(split_sentences(text)) if mentions and has_contrast(text) else None
        review = review_probs[i] if review_probs is not None else None
        own = []
        for m in mentions:
            s = by_unit[(m.unit_start, m.unit_end)]
            clause = sentences is not None and (m.unit_start, m.unit_end) not in sentences
            probs: list[float | None]
            if s.probs is None:
                label, probs = "unscorable", [None, None, None]
            else:
                blended = _blend(list(s.probs), review, clause)
                if m.negated and int(np.argmax(blended)) == 0:
                    blended = [blended[2], blended[1], blended[0]]
                label = LABELS[int(np.argmax(blended))]
                probs = [round(float(p), 6) for p in blended]
            own.append(
                (
                    m.aspect,
                    m.term[:200],
                    m.phrase[:200],
                    language,
                    m.unit_start,
                    m.unit_end,
                    label,
                    *probs,
                    m.negated,
                )
            )
        rows.append(own)
    return PreparedMentions(rows, time.perf_counter() - started)


def write(
    conn: Connection,
    review_ids: Sequence[int],
    prepared: Sequence[Sequence[tuple[Any, ...]]],
    model_version: str,
) -> int:
    """Insert the mentions of `review_ids` (``prepared[i]`` belongs to ``review_ids[i]``) and mark
    them covered for `model_version`, inside the caller's transaction. :return: mentions stored."""
    records = [
        (review_id, model_version, *row)
        for review_id, rows in zip(review_ids, prepared, strict=True)
        for row in rows
    ]
    covered = [(review_id, model_version) for review_id in review_ids]
    if conn.dialect.name == "sqlite":
        # the driver's executemany: 500k mention dicts through SQLAlchemy cost seconds on a 100k import
        for table, columns, rows in (
            (AspectMention.__tablename__, MENTION_FIELDS, records),
            (AspectCoverage.__tablename__, ("review_id", "model_version"), covered),
        ):
            if rows:
                marks = ", ".join("?" for _ in columns)
                conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        return len(records)
    if records:
        conn.execute(
            AspectMention.__table__.insert(), [dict(zip(MENTION_FIELDS, r, strict=True)) for r in records]
        )
    if covered:
        conn.execute(
            AspectCoverage.__table__.insert(), [{"review_id": r, "model_version": v} for r, v in covered]
        )
    return len(records)


def write_import(
    conn: Connection,
    import_id: int,
    keys: Sequence[tuple[str, str]],
    prepared: PreparedMentions,
    model_version: str,
) -> int:
    """Store the mentions of the reviews an import has just written. `keys[i]` is text i's
    (product name, content hash); reviews of the import not yet covered are matched to them (the
    ones a concurrent import stored first are not this import's, and are skipped)."""
    position = {key: i for i, key in enumerate(keys)}
    query = (
        select(Review.id, Product.name, Review.content_hash)
        .join(Product, Product.id == Review.product_id)
        .where(
            Review.import_id == import_id,
            ~exists().where(
                AspectCoverage.review_id == Review.id, AspectCoverage.model_version == model_version
            ),
        )
    )
    ids, rows = [], []
    for review_id, product, digest in conn.execute(query):
        i = position.get((product, digest))
        if i is not None:
            ids.append(review_id)
            rows.append(prepared.rows[i])
    return write(conn, ids, rows, model_version)


def uncovered(
    conn: Connection, products: Sequence[str] | None = None, limit: int | None = None
) -> list[tuple[int, str]]:
    """(review id, latest prediction's model version) of reviews without aspects for that version."""
    query = (
        select(Review.id, PredictionRow.model_version)
        .join(PredictionRow, and_(PredictionRow.review_id == Review.id, PredictionRow.is_latest == true()))
        .where(
            ~exists().where(
                AspectCoverage.review_id == Review.id,
                AspectCoverage.model_version == PredictionRow.model_version,
            )
        )
        .order_by(Review.id)
    )
    if products:
        query = query.where(Review.product_id.in_(select(Product.id).where(Product.name.in_(list(products)))))
    if limit is not None:
        query = query.limit(limit)
    return [(int(a), str(b)) for a, b in conn.execute(query)]


def backfill(
    engine: Engine,
    products: Sequence[str] | None = None,
    predictor_for: Callable[[str], Predictor] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Compute the aspects of stored reviews that have none for their latest prediction's version
    (a store from before aspects, or rows a failed step left out); each chunk commits on its own.

    :param predictor_for: the predictor of a model version (default: that version from the model
        registry, or the active model when the version is no longer installed).
    :return: the number of reviews covered.
    """
    if predictor_for is None:
        predictor_for = _predictor_for_version
    with engine.connect() as conn:
        todo = uncovered(conn, products)
    done = 0
    for start in range(0, len(todo), BACKFILL_CHUNK):
        chunk = todo[start : start + BACKFILL_CHUNK]
        by_version: dict[str, list[int]] = {}
        for review_id, version in chunk:
            by_version.setdefault(version, []).append(review_id)
        for version, ids in by_version.items():
            with engine.connect() as conn:
                rows = conn.execute(select(Review.id, Review.text).where(Review.id.in_(ids))).tuples().all()
                texts: dict[int, str] = dict(rows)
                probs = {
                    r: (n, u, p)
                    for r, n, u, p in conn.execute(
                        select(
                            PredictionRow.review_id,
                            PredictionRow.p_negative,
                            PredictionRow.p_neutral,
                            PredictionRow.p_positive,
                        ).where(PredictionRow.review_id.in_(ids), PredictionRow.model_version == version)
                    )
                }
                extractor = extractor_for(conn)
            ids = [i for i in ids if i in texts]
            review_probs = np.array(
                [[np.nan if v is None else v for v in probs.get(i, (None,) * 3)] for i in ids]
            )
            prepared = prepare(predictor_for(version), [texts[i] for i in ids], extractor, review_probs)
            with write_transaction(engine) as conn:
                # another process may have covered some meanwhile: skip those
                covered = set(
                    conn.execute(
                        select(AspectCoverage.review_id).where(
                            AspectCoverage.review_id.in_(ids), AspectCoverage.model_version == version
                        )
                    ).scalars()
                )
                keep = [k for k, i in enumerate(ids) if i not in covered]
                write(conn, [ids[k] for k in keep], [prepared.rows[k] for k in keep], version)
            done += len(ids)
        if progress is not None:
            progress(start + len(chunk), len(todo))
    if todo:
        log_event("aspects_backfill", reviews=done)
    return done


def _predictor_for_version(version: str) -> Predictor:
    from core.inference.predictor import get_predictor

    try:
        return get_predictor(version)
    except FileNotFoundError:
        return get_predictor()
