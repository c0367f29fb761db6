"""Rows in, scored, stored in one transaction: imports, re-scoring and deletions.

An import is all or nothing: its reviews, their predictions, new products and the import record's
success are committed together. If anything fails, the data is untouched and the import record
(written in its own small transaction) says ``failed`` with the reason. Reviews already in the
store (same product and :func:`core.storage.schema.content_hash`) and repeats within the same rows are
counted as duplicates and not stored again, so importing the same file twice adds nothing.

Scoring runs before the write transaction, so a long scoring pass never holds SQLite's write lock.
"""

from __future__ import annotations

import getpass
import json
import logging
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, exists, select, update

from core.inference.pool import MIN_PARALLEL, FeaturizePool
from core.logs import log_event
from core.nlp.language import detect_language
from core.settings import get_settings
from core.storage import aspect_scoring, rollups
from core.storage.cancel import Cancelled, raise_if_cancelled, received_signal
from core.storage.engine import optimize, write_transaction
from core.storage.runs import run_owner
from core.storage.schema import (
    SOURCES,
    DailySentiment,
    ImportRun,
    PredictionRow,
    Product,
    Review,
    SiteRating,
    content_hash,
    naive_utc,
    product_key,
    upsert_ignore,
    utcnow,
)

if TYPE_CHECKING:
    from core.inference.predictor import Predictor
    from core.ingestion.mapping import ColumnMapping
    from core.ingestion.rows import RejectedRow, ReviewRow

Progress = Callable[[int, int], None]

SCORE_CHUNK = 8192  # rows per scoring chunk: one featurising task, progress tick and log line each
WRITE_CHUNK = 10_000  # rows per INSERT batch inside the import transaction
_RECORD_WAIT_S = 5.0  # longest wait for the write lock to record a failed or cancelled import
LOOKUP_CHUNK = 5_000  # hashes per IN (...) lookup; far below SQLite's 32,766 bound parameters
_RUN_FIELDS = frozenset(
    {
        "status",
        "rows_read",
        "stored",
        "duplicates",
        "rejected",
        "reject_reasons",
        "warnings",
        "pages",
        "errors",
    }
    | {"products", "model_version", "seconds"}
)


REPEAT_IN_ROWS = "repeated within this import"
ALREADY_STORED = "already stored"


@dataclass
class SkippedRow:
    """A duplicate not stored: the row, and whether it repeats an earlier row or a stored review."""

    row: ReviewRow
    reason: str  # REPEAT_IN_ROWS | ALREADY_STORED


@dataclass
class ImportSummary:
    """What one import did; :meth:`line` is the one-line report the CLI and the app show."""

    import_id: int
    rows_read: int
    stored: int
    duplicates: int
    rejected: dict[str, int]
    products: list[str]
    model_version: str
    seconds: float
    warnings: dict[str, int] = field(default_factory=dict)  # rows stored without a date/rating, by reason
    timings: dict[str, float] = field(default_factory=dict)  # seconds in parse / dedupe / score / write
    notes: list[str] = field(default_factory=list)  # repairs made while reading the file (ParsedTable.notes)
    # product names as written in the rows → the stored product they joined (case and spaces ignored)
    merged_products: dict[str, str] = field(default_factory=dict)
    # the duplicate rows not stored (repeats within the rows, or already in the store), for download
    skipped: list[SkippedRow] = field(default_factory=list, repr=False)

    def line(self) -> str:
        """One sentence: rows read, stored, duplicates, rejected by reason, model, time."""
        rejected_total = sum(self.rejected.values())
        text = (
            f"Read {self.rows_read:,} rows: stored {self.stored:,} new reviews, "
            f"skipped {self.duplicates:,} duplicates, rejected {rejected_total:,}"
        )
        if rejected_total:
            reasons = ", ".join(f"{reason}: {count:,}" for reason, count in sorted(self.rejected.items()))
            text += f" ({reasons})"
        if self.warnings:
            reasons = ", ".join(f"{reason}: {count:,}" for reason, count in sorted(self.warnings.items()))
            text += f"; kept with a missing value: {reasons}"
        if self.stored == 0 and self.duplicates:
            text += "; nothing new, these reviews were already stored"
        if self.merged_products:
            pairs = ", ".join(f"{name!r} → {kept!r}" for name, kept in sorted(self.merged_products.items()))
            text += f"; product names merged (case and spaces ignored): {pairs}"
        notes = "".join(f" {note}" for note in self.notes)
        return f"{text}. Model {self.model_version}, {self.seconds:.1f} s.{notes}"


# --- import runs -------------------------------------------------------------------------------


def current_user() -> str:
    """Who an import is recorded under: `SENTIMENT_USER`, else the OS user."""
    configured = get_settings().user
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # containers often run as a uid with no passwd entry
        return "unknown"


def start_run(engine: Engine, kind: str, source_name: str) -> int:
    """Record the start of an import or scrape run (status ``running``) and return its id."""
    if kind not in SOURCES:
        raise ValueError(f"kind must be one of {', '.join(SOURCES)}, not {kind!r}")
    with write_transaction(engine) as conn:
        return conn.execute(
            ImportRun.__table__.insert()
            .values(kind=kind, source_name=source_name[:1000], user_name=current_user()[:200], **run_owner())
            .returning(ImportRun.__table__.c.id)
        ).scalar_one()


def finish_run(engine: Engine, import_id: int, **counts: Any) -> None:
    """Close a run: status (default ``succeeded``), finished time, duration, and any counts given.

    Accepted keywords: status, rows_read, stored, duplicates, rejected (a total or a dict of
    reasons), reject_reasons, pages, errors (list of messages), products, model_version, seconds.
    Counts not given keep their stored values (e.g. what :func:`import_rows` accumulated).
    """
    unknown = set(counts) - _RUN_FIELDS
    if unknown:
        raise TypeError(f"finish_run got unknown fields: {', '.join(sorted(unknown))}")
    values = dict(counts)
    values.setdefault("status", "succeeded")
    if isinstance(values.get("rejected"), dict):
        values["reject_reasons"] = dict(values["rejected"])
        values["rejected"] = sum(values["reject_reasons"].values())
    if "errors" in values:
        values["errors"] = [str(error) for error in values["errors"]]
    now = utcnow()
    with write_transaction(engine) as conn:
        started = conn.execute(select(ImportRun.started_at).where(ImportRun.id == import_id)).scalar_one()
        values.setdefault("seconds", round((now - started).total_seconds(), 3))
        conn.execute(update(ImportRun).where(ImportRun.id == import_id).values(finished_at=now, **values))


def _mark_failed(engine: Engine, import_id: int, exc: BaseException, seconds: float) -> None:
    """Record a failed (or interrupted) import in its own transaction; never masks the original error."""
    # a stop request that landed inside a driver call surfaces as the driver's error: still a cancel
    stopped = isinstance(exc, Cancelled) or received_signal() is not None
    status = "cancelled" if stopped or not isinstance(exc, Exception) else "failed"
    message = f"{type(exc).__name__}: {exc}"[:2000]
    if isinstance(exc, Cancelled):
        message = f"Cancelled: {exc}."
    try:
        # briefly: a cancelled import must end promptly even while another import holds the lock (the
        # run, left "running", is then closed as failed when the store is next opened)
        with write_transaction(engine, wait_s=_RECORD_WAIT_S) as conn:
            errors = conn.execute(select(ImportRun.errors).where(ImportRun.id == import_id)).scalar_one()
            conn.execute(
                update(ImportRun)
                .where(ImportRun.id == import_id)
                .values(
                    status=status,
                    finished_at=utcnow(),
                    seconds=round(seconds, 3),
                    errors=[*(errors or []), message],
                )
            )
    except Exception as mark_error:  # the database itself may be what failed
        log_event("import_record_failed", import_id=import_id, error=str(mark_error))
    log_event("import", import_id=import_id, status=status, error=message, seconds=round(seconds, 3))


# --- importing ---------------------------------------------------------------------------------


def import_rows(
    engine: Engine,
    rows: Iterable[ReviewRow],
    *,
    source: str,
    source_name: str,
    predictor: Predictor | None = None,
    rejected: Sequence[RejectedRow] = (),
    rows_read: int | None = None,
    progress: Progress | None = None,
    import_id: int | None = None,
    warnings: Sequence[RejectedRow] = (),
    notes: Sequence[str] = (),
) -> ImportSummary:
    """Score `rows` and store the new ones in one transaction.

    :param source: ``csv``, ``scrape`` or ``manual``.
    :param source_name: the file name or URL shown in the import history.
    :param predictor: default: the active model (:func:`core.inference.predictor.get_predictor`).
    :param rejected: rows the ingestion layer could not use; counted by reason in the record.
    :param warnings: rows stored without a value (date, rating); counted by reason likewise.
    :param notes: repairs made while reading the file, appended to the summary line.
    :param rows_read: rows in the source (default: stored candidates plus rejected).
    :param progress: called with ``(done, total)`` units of work; every new row is one unit when
        scored and one when written, so ``done / total`` is the fraction complete.
    :param import_id: an open run from :func:`start_run` (scrapes): counts are added to it and the
        caller closes it with :func:`finish_run`. Without it the import opens and closes its own run.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    owns_run = import_id is None
    if import_id is None:
        import_id = start_run(engine, source, source_name)
    return _run_import(
        engine,
        list(rows),
        import_id=import_id,
        owns_run=owns_run,
        source=source,
        predictor=predictor,
        reject_counts=dict(Counter(row.reason for row in rejected)),
        rows_read=rows_read,
        progress=progress,
        warning_counts=dict(Counter(row.reason for row in warnings)),
        notes=list(notes),
    )


def import_file(
    engine: Engine,
    fp: bytes | BinaryIO | Path,
    filename: str | None = None,
    *,
    mapping: ColumnMapping | None = None,
    default_product: str = "Unassigned",
    dayfirst: bool = False,
    predictor: Predictor | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Read a CSV/XLSX file (see :mod:`core.ingestion`), then :func:`import_rows` it as one import.

    Ingestion errors (:class:`core.ingestion.tables.IngestError`) are recorded as a failed import and
    re-raised.
    """
    # the ingestion layer is only needed for files
    from core.ingestion.mapping import infer_mapping
    from core.ingestion.rows import prepare_rows
    from core.ingestion.tables import read_table

    name = filename or (fp.name if isinstance(fp, Path) else "upload")
    import_id = start_run(engine, "csv", name)
    started = time.perf_counter()
    try:
        log_event("import_phase", logging.DEBUG, import_id=import_id, phase="read")
        table = read_table(fp, filename)
        prepared = prepare_rows(
            table, mapping or infer_mapping(table), default_product=default_product, dayfirst=dayfirst
        )
    except BaseException as exc:
        _mark_failed(engine, import_id, exc, time.perf_counter() - started)
        raise
    return _run_import(
        engine,
        prepared.rows,
        import_id=import_id,
        owns_run=True,
        source="csv",
        predictor=predictor,
        reject_counts=prepared.reject_counts(),
        rows_read=prepared.rows_read,
        progress=progress,
        parse_seconds=time.perf_counter() - started,
        warning_counts=prepared.warning_counts(),
        notes=table.notes,
    )


def _run_import(
    engine: Engine,
    rows: list[ReviewRow],
    *,
    import_id: int,
    owns_run: bool,
    source: str,
    predictor: Predictor | None,
    reject_counts: dict[str, int],
    rows_read: int | None,
    progress: Progress | None,
    parse_seconds: float = 0.0,
    warning_counts: dict[str, int] | None = None,
    notes: list[str] | None = None,
) -> ImportSummary:
    """The body of an import; on any error the data is rolled back and the run marked failed."""
    started = time.perf_counter() - parse_seconds
    timings = {"parse": round(parse_seconds, 3)}
    try:
        if predictor is None:
            from core.inference.predictor import get_predictor

            predictor = get_predictor()
        # featurising workers (large imports only) start now and are ready when de-duplication ends
        workers = None if len(rows) >= MIN_PARALLEL else 1
        with FeaturizePool(predictor.featurizer, workers=workers) as pool:
            tick = time.perf_counter()
            rows, merged = _join_known_products(engine, rows)
            candidates, skipped = _dedupe(rows)
            new, stored_before = _drop_stored(engine, candidates)
            skipped += [SkippedRow(row, ALREADY_STORED) for _, row in stored_before]
            languages = [detect_language(row.text) for _, row in new]
            timings["dedupe"] = round(time.perf_counter() - tick, 3)
            total = 2 * len(new)
            tick = time.perf_counter()
            log_event("import_phase", logging.DEBUG, import_id=import_id, phase="score", rows=len(new))
            scores = _score(predictor, pool, [row.text for _, row in new], import_id, progress, total)
            timings["score"] = round(time.perf_counter() - tick, 3)
        # --- aspects (issue 16): mentions found and scored before the write lock is taken ---
        with engine.connect() as conn:
            extractor = aspect_scoring.extractor_for(conn)
        aspects = aspect_scoring.prepare(
            predictor,
            [row.text for _, row in new],
            extractor,
            scores[["negative", "neutral", "positive"]].to_numpy(float),
        )
        timings["aspects"] = round(aspects.seconds, 3)
        tick = time.perf_counter()
        products = sorted({row.product for _, row in candidates.values()})
        if rows_read is None:
            rows_read = len(rows) + sum(reject_counts.values())
        log_event("import_phase", logging.DEBUG, import_id=import_id, phase="write", rows=len(new))
        with write_transaction(engine) as conn:
            stored = _write(
                conn, new, scores, languages, import_id, source, predictor.version, progress, total
            )
            # --- aspects (issue 16): stored in the import's transaction ---
            keys = [(row.product, digest) for digest, row in new]
            aspect_scoring.write_import(conn, import_id, keys, aspects, predictor.version)
            timings["write"] = round(time.perf_counter() - tick, 3)
            summary = ImportSummary(
                import_id=import_id,
                rows_read=rows_read,
                stored=stored,
                duplicates=len(rows) - stored,
                rejected=reject_counts,
                products=products,
                model_version=predictor.version,
                seconds=round(time.perf_counter() - started, 3),
                warnings=warning_counts or {},
                timings=timings,
                notes=notes or [],
                merged_products=merged,
                skipped=sorted(skipped, key=lambda s: s.row.row_number or 0),
            )
            _record(conn, summary, owns_run)
    except BaseException as exc:
        _mark_failed(engine, import_id, exc, time.perf_counter() - started)
        raise
    optimize(engine)
    log_event(
        "import",
        import_id=import_id,
        source=source,
        status="succeeded",
        rows_read=summary.rows_read,
        stored=summary.stored,
        duplicates=summary.duplicates,
        rejected=sum(reject_counts.values()),
        products=len(products),
        model_version=summary.model_version,
        seconds=summary.seconds,
        **timings,
    )
    return summary


def _join_known_products(engine: Engine, rows: list[ReviewRow]) -> tuple[list[ReviewRow], dict[str, str]]:
    """`rows` with the product name their :func:`~core.storage.schema.product_key` already has: the
    stored product's, else the first spelling in `rows` (changed rows are copies: the caller's rows
    may be shared, e.g. the Upload page's cache).

    :return: the rows, and {name as written: name kept} for every spelling that was changed.
    """
    with engine.connect() as conn:
        known = {product_key(name): name for name in conn.execute(select(Product.name)).scalars()}
    merged: dict[str, str] = {}
    out: list[ReviewRow] = []
    for row in rows:
        kept = known.setdefault(product_key(row.product), row.product)
        if kept != row.product:
            merged[row.product] = kept
            row = replace(row, product=kept)
        out.append(row)
    return out, merged


def _dedupe(
    rows: list[ReviewRow],
) -> tuple[dict[tuple[str, str], tuple[str, ReviewRow]], list[SkippedRow]]:
    """First occurrence of each (product, content hash); later repeats in the same rows are duplicates.

    :return: the unique rows by key, and the repeats.
    """
    unique: dict[tuple[str, str], tuple[str, ReviewRow]] = {}
    repeats: list[SkippedRow] = []
    for row in rows:
        digest = content_hash(row.text, row.title, row.author, row.review_date)
        if unique.setdefault((row.product, digest), (digest, row))[1] is not row:
            repeats.append(SkippedRow(row, REPEAT_IN_ROWS))
    return unique, repeats


def _drop_stored(
    engine: Engine, candidates: dict[tuple[str, str], tuple[str, ReviewRow]]
) -> tuple[list[tuple[str, ReviewRow]], list[tuple[str, ReviewRow]]]:
    """Candidates whose (product, hash) is not in the store yet, looked up in bulk, and those that are.

    Read outside the write transaction; a concurrent import that stores the same review first is
    caught by the unique constraint (``ON CONFLICT DO NOTHING``) and counted as a duplicate.
    """
    by_product: dict[str, list[str]] = {}
    for product, digest in candidates:
        by_product.setdefault(product, []).append(digest)
    stored: set[tuple[str, str]] = set()
    with engine.connect() as conn:
        ids = _product_ids(conn, list(by_product))
        for product, digests in by_product.items():
            if product not in ids:
                continue
            for start in range(0, len(digests), LOOKUP_CHUNK):
                chunk = digests[start : start + LOOKUP_CHUNK]
                query = select(Review.content_hash).where(
                    Review.product_id == ids[product], Review.content_hash.in_(chunk)
                )
                stored.update((product, digest) for digest in conn.execute(query).scalars())
    # sorted by key so concurrent PostgreSQL imports lock unique keys in one order (no deadlock)
    return [candidates[key] for key in sorted(candidates) if key not in stored], [
        candidates[key] for key in sorted(stored)
    ]


def _product_ids(conn: Connection, names: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for start in range(0, len(names), LOOKUP_CHUNK):
        query = select(Product.name, Product.id).where(Product.name.in_(names[start : start + LOOKUP_CHUNK]))
        ids.update((name, id_) for name, id_ in conn.execute(query))
    return ids


def _score(
    predictor: Predictor,
    pool: FeaturizePool,
    texts: list[str],
    import_id: int | None,
    progress: Progress | None,
    total: int,
) -> pd.DataFrame:
    """Score texts chunk by chunk: one progress tick and one ``scoring`` log line per chunk.

    Large inputs are featurised by `pool`'s worker processes on every core (:mod:`core.inference.pool`)
    while this process scores the chunks already done. The result equals
    :meth:`~core.inference.predictor.Predictor.predict_frame` (same rounding; a text's scores do not depend on
    which texts share its batch), with a fresh index.
    """
    probs = np.full((len(texts), 3), np.nan)
    chunks = pool.encode(texts, chunk_size=SCORE_CHUNK)
    tick = time.perf_counter()
    for chunk in chunks:
        probs[chunk.rows] = predictor.proba_from_encoded(chunk.encoded)[0]
        log_event(
            "scoring",
            import_id=import_id,
            rows=chunk.stop - chunk.start,
            model_version=predictor.version,
            workers=chunks.workers,
            seconds=round(time.perf_counter() - tick, 3),
        )
        tick = time.perf_counter()
        if progress is not None:
            progress(chunk.stop, total)
    from core.inference.predictor import predictions_frame

    return predictions_frame(probs)


def _float_or_none(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _clip(value: object, length: int) -> str | None:
    return None if value is None else str(value)[:length]


def _prediction_params(
    review_ids: list[int], scores: pd.DataFrame, model_version: str, scored_at: Any
) -> list[dict[str, Any]]:
    columns = [scores[name].tolist() for name in ("label", "negative", "neutral", "positive", "confidence")]
    return [
        {
            "review_id": review_id,
            "model_version": model_version,
            "label": label,
            "p_negative": _float_or_none(neg),
            "p_neutral": _float_or_none(neu),
            "p_positive": _float_or_none(pos),
            "confidence": _float_or_none(conf),
            "scored_at": scored_at,
            "is_latest": True,
        }
        for review_id, label, neg, neu, pos, conf in zip(review_ids, *columns, strict=True)
    ]


REVIEW_FIELDS = (
    "product_id", "import_id", "text", "title", "rating_raw", "rating", "review_date", "author", "source",
    "source_url", "content_hash", "created_at", "language", "extra",
)  # fmt: skip
_DATE, _CREATED = REVIEW_FIELDS.index("review_date"), REVIEW_FIELDS.index("created_at")
_EXTRA = REVIEW_FIELDS.index("extra")
PREDICTION_FIELDS = (
    "review_id", "label", "p_negative", "p_neutral", "p_positive", "confidence", "model_version", "scored_at",
    "is_latest",
)  # fmt: skip


def _write(
    conn: Connection,
    new: list[tuple[str, ReviewRow]],
    scores: pd.DataFrame,
    languages: list[str],
    import_id: int,
    source: str,
    model_version: str,
    progress: Progress | None,
    total: int,
) -> int:
    """Insert products, reviews and predictions inside the caller's transaction; return reviews stored."""
    names = sorted({row.product for _, row in new})
    now = utcnow()
    if names:
        conn.execute(upsert_ignore(conn, Product.__table__), [{"name": n, "created_at": now} for n in names])
    product_ids = _product_ids(conn, names)
    stored = 0
    changes: list[pd.DataFrame] = []
    for start in range(0, len(new), WRITE_CHUNK):
        chunk = new[start : start + WRITE_CHUNK]
        # plain tuples in REVIEW_FIELDS order: 100k dicts cost more than SQLite's own work
        records: list[tuple[Any, ...]] = [
            (
                product_ids[row.product], import_id, row.text, row.title, _clip(row.rating_raw, 100),
                row.rating, naive_utc(row.review_date), _clip(row.author, 300), source, row.source_url,
                digest, now, language, row.extra or None,
            )
            for (digest, row), language in zip(chunk, languages[start : start + WRITE_CHUNK], strict=True)
        ]  # fmt: skip
        # Rows a concurrent import stored first are missing here; their scores are simply dropped.
        ids = _insert_reviews(conn, records)
        keep = sorted(ids)
        review_ids = [ids[i] for i in keep]
        chunk_scores = scores.iloc[[start + i for i in keep]]
        if review_ids:
            _insert_predictions(conn, review_ids, chunk_scores, model_version, now)
        stored += len(review_ids)
        changes.append(
            rollups.deltas(
                [records[i][0] for i in keep],
                [records[i][_DATE] for i in keep],
                chunk_scores["label"].tolist(),
                [records[i][5] for i in keep],
            )
        )
        if progress is not None:
            progress(len(new) + start + len(chunk), total)
        raise_if_cancelled()  # Ctrl+C inside the transaction: roll back now, not after the last chunk
    rollups.apply(conn, changes)
    return stored


def _insert_reviews(conn: Connection, records: list[tuple[Any, ...]]) -> dict[int, int]:
    """Insert reviews (REVIEW_FIELDS tuples), skipping (product, hash) pairs already stored.

    :return: {index in records: new review id} for the rows inserted.
    """
    table = Review.__table__
    if not records:
        return {}
    if conn.dialect.name != "sqlite":
        params = [dict(zip(REVIEW_FIELDS, record, strict=True)) for record in records]
        inserted = conn.execute(
            upsert_ignore(conn, table).returning(table.c.product_id, table.c.content_hash, table.c.id), params
        ).all()
        ids = {(product_id, digest): review_id for product_id, digest, review_id in inserted}
        return {
            i: ids[(p["product_id"], p["content_hash"])]
            for i, p in enumerate(params)
            if (p["product_id"], p["content_hash"]) in ids
        }
    # SQLite: this transaction holds the database's only write lock (BEGIN IMMEDIATE), so ids from
    # max(id) + 1 are ours; the rows actually inserted are those ids still present afterwards.
    first = conn.exec_driver_sql("SELECT coalesce(max(id), 0) + 1 FROM reviews").scalar_one()
    created = _sqlite_time(records[0][_CREATED])
    # dates repeat: format each distinct one once
    times = {day: _sqlite_time(day) for day in {r[_DATE] for r in records} if day is not None}
    rows = [
        (
            first + i,
            *r[:_DATE],
            None if r[_DATE] is None else times[r[_DATE]],
            *r[_DATE + 1 : _CREATED],
            created,
            *r[_CREATED + 1 : _EXTRA],
            None if r[_EXTRA] is None else json.dumps(r[_EXTRA], ensure_ascii=False),
        )
        for i, r in enumerate(records)
    ]
    _sqlite_executemany(conn, table.name, ["id", *REVIEW_FIELDS], rows, ignore=True)
    inserted = conn.exec_driver_sql("SELECT count(*) FROM reviews WHERE id >= ?", (first,)).scalar_one()
    if inserted == len(rows):  # the usual case: nobody stored any of them meanwhile
        return {i: first + i for i in range(len(rows))}
    present = conn.exec_driver_sql("SELECT id FROM reviews WHERE id >= ?", (first,)).scalars()
    return {review_id - first: review_id for review_id in present}


def _insert_predictions(
    conn: Connection, review_ids: list[int], scores: pd.DataFrame, model_version: str, scored_at: datetime
) -> None:
    """Insert one prediction per new review (each review's first, so its latest)."""
    if conn.dialect.name != "sqlite":
        conn.execute(
            PredictionRow.__table__.insert(), _prediction_params(review_ids, scores, model_version, scored_at)
        )
        return
    # NaN (an unscorable text) becomes NULL
    probabilities = scores[["negative", "neutral", "positive", "confidence"]].astype(object)
    probabilities = probabilities.where(probabilities.notna(), None)
    when = _sqlite_time(scored_at)
    rows = [
        (review_id, label, neg, neu, pos, conf, model_version, when, 1)
        for review_id, label, (neg, neu, pos, conf) in zip(
            review_ids,
            scores["label"].tolist(),
            probabilities.itertuples(index=False, name=None),
            strict=True,
        )
    ]
    _sqlite_executemany(conn, PredictionRow.__tablename__, list(PREDICTION_FIELDS), rows)


def _sqlite_time(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores, so both write paths compare equal."""
    return value.isoformat(" ", "microseconds")


def _sqlite_executemany(
    conn: Connection, table: str, columns: list[str], rows: list[tuple[Any, ...]], ignore: bool = False
) -> None:
    """Bulk INSERT through the driver's executemany: on a 100k-row import SQLAlchemy's per-value
    processing costs more than SQLite's own work."""
    if rows:
        placeholders = ", ".join("?" for _ in columns)
        conflict = " ON CONFLICT DO NOTHING" if ignore else ""
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}){conflict}"
        conn.exec_driver_sql(sql, rows)


def _record(conn: Connection, summary: ImportSummary, owns_run: bool) -> None:
    """Write the import's counts in the import transaction, so success and data commit together."""
    rejected_total = sum(summary.rejected.values())
    if owns_run:
        values: dict[str, Any] = {
            "status": "succeeded",
            "finished_at": utcnow(),
            "rows_read": summary.rows_read,
            "stored": summary.stored,
            "duplicates": summary.duplicates,
            "rejected": rejected_total,
            "reject_reasons": summary.rejected,
            "warnings": summary.warnings,
            "products": summary.products,
            "model_version": summary.model_version,
            "seconds": summary.seconds,
        }
    else:
        # a caller-owned run (a scrape importing in batches): add to its counts, leave it open
        run = conn.execute(
            select(ImportRun.reject_reasons, ImportRun.products).where(ImportRun.id == summary.import_id)
        ).one()
        reasons = Counter(run.reject_reasons or {})
        reasons.update(summary.rejected)
        values = {
            "rows_read": ImportRun.rows_read + summary.rows_read,
            "stored": ImportRun.stored + summary.stored,
            "duplicates": ImportRun.duplicates + summary.duplicates,
            "rejected": ImportRun.rejected + rejected_total,
            "reject_reasons": dict(reasons),
            "products": sorted(set(run.products or []) | set(summary.products)),
            "model_version": summary.model_version,
        }
    conn.execute(update(ImportRun).where(ImportRun.id == summary.import_id).values(**values))


# --- re-scoring and deletion ---------------------------------------------------------------------


def rescore(
    engine: Engine, products: list[str] | None, predictor: Predictor, progress: Progress | None = None
) -> int:
    """Score the reviews of `products` (all products if empty) that lack a prediction from `predictor`.

    Old versions' predictions stay, so versions can be compared; the new ones become each review's
    latest. Each batch commits on its own, so an interrupted re-score resumes where it stopped.

    :return: the number of predictions added.
    """
    version = predictor.version
    with engine.connect() as conn:
        query = select(Review.id).where(
            ~exists().where(PredictionRow.review_id == Review.id, PredictionRow.model_version == version)
        )
        if products:
            query = query.where(Review.product_id.in_(_product_ids(conn, list(products)).values()))
        missing = list(conn.execute(query.order_by(Review.id)).scalars())
    added = 0
    for start in range(0, len(missing), SCORE_CHUNK):
        chunk = missing[start : start + SCORE_CHUNK]
        tick = time.perf_counter()
        with engine.connect() as conn:
            result = conn.execute(select(Review.id, Review.text).where(Review.id.in_(chunk)))
            texts = {review_id: text for review_id, text in result}
            extractor = aspect_scoring.extractor_for(conn)
        ids = [review_id for review_id in chunk if review_id in texts]  # deleted meanwhile: skip
        scores = predictor.predict_frame(pd.Series([texts[i] for i in ids]))
        # aspects (issue 16)
        aspects = aspect_scoring.prepare(
            predictor,
            [texts[i] for i in ids],
            extractor,
            scores[["negative", "neutral", "positive"]].to_numpy(float),
        )
        with write_transaction(engine) as conn:
            before = rollups.latest_rows(conn, Review.id.in_(ids))
            table = PredictionRow.__table__
            inserted = conn.execute(
                upsert_ignore(conn, table).returning(table.c.id, table.c.review_id),
                _prediction_params(ids, scores, version, utcnow()),
            ).all()  # counted from RETURNING: executemany's rowcount is not reliable across drivers
            added += len(inserted)
            # aspects (issue 16): the reviews just given a prediction of this version, and only those
            fresh = {row.review_id for row in inserted}
            keep = [k for k, review_id in enumerate(ids) if review_id in fresh]
            aspect_scoring.write(conn, [ids[k] for k in keep], [aspects.rows[k] for k in keep], version)
            # exactly one latest prediction per review: the version just scored
            conn.execute(
                update(PredictionRow)
                .where(PredictionRow.review_id.in_(ids))
                .values(is_latest=PredictionRow.model_version == version)
            )
            after = rollups.latest_rows(conn, Review.id.in_(ids))
            rollups.apply(conn, [rollups.deltas_of(before, sign=-1), rollups.deltas_of(after)])
        log_event(
            "scoring",
            rows=len(ids),
            model_version=version,
            rescore=True,
            seconds=round(time.perf_counter() - tick, 3),
        )
        if progress is not None:
            progress(start + len(chunk), len(missing))
    return added


def delete_import(engine: Engine, import_id: int) -> int:
    """Delete an import record with its reviews, their predictions and the site ratings its scrape
    saw; products left empty go too.

    :return: the number of reviews deleted.
    :raises LookupError: when there is no such import.
    """
    with write_transaction(engine) as conn:
        if conn.execute(select(ImportRun.id).where(ImportRun.id == import_id)).first() is None:
            raise LookupError(f"There is no import with id {import_id}.")
        touched = list(
            conn.execute(select(Review.product_id).where(Review.import_id == import_id).distinct()).scalars()
        )
        rollups.apply(
            conn, [rollups.deltas_of(rollups.latest_rows(conn, Review.import_id == import_id), sign=-1)]
        )
        review_ids = select(Review.id).where(Review.import_id == import_id)
        conn.execute(delete(PredictionRow).where(PredictionRow.review_id.in_(review_ids)))
        deleted = conn.execute(delete(Review).where(Review.import_id == import_id)).rowcount
        conn.execute(delete(SiteRating).where(SiteRating.import_id == import_id))
        conn.execute(delete(ImportRun).where(ImportRun.id == import_id))
        if touched:  # (a product's site ratings from other scrapes go with it: ON DELETE CASCADE)
            conn.execute(
                delete(Product).where(
                    Product.id.in_(touched), ~exists().where(Review.product_id == Product.id)
                )
            )
    log_event("delete_import", import_id=import_id, reviews=deleted)
    return deleted


def delete_product(engine: Engine, name: str) -> int:
    """Delete a product with its reviews and their predictions (import records stay as history).

    :return: the number of reviews deleted.
    :raises LookupError: when there is no such product.
    """
    with write_transaction(engine) as conn:
        product_id = conn.execute(select(Product.id).where(Product.name == name)).scalar_one_or_none()
        if product_id is None:
            raise LookupError(f"There is no product named {name!r}.")
        conn.execute(delete(DailySentiment).where(DailySentiment.product_id == product_id))
        conn.execute(delete(SiteRating).where(SiteRating.product_id == product_id))
        review_ids = select(Review.id).where(Review.product_id == product_id)
        conn.execute(delete(PredictionRow).where(PredictionRow.review_id.in_(review_ids)))
        deleted = conn.execute(delete(Review).where(Review.product_id == product_id)).rowcount
        conn.execute(delete(Product).where(Product.id == product_id))
    log_event("delete_product", product=name, reviews=deleted)
    return deleted
