"""The review store's schema: SQLAlchemy 2 tables, the dedupe key, and dialect-aware INSERTs.

One database holds everything: SQLite (a file under the data folder, WAL mode) by default, or
PostgreSQL 15 when `SENTIMENT_DB_URL` points at one, so several app replicas share the data.
Engines, schema creation and upgrades live in :mod:`core.storage.engine`; queries in
:mod:`core.storage.queries`.

Tables:

* ``products``: one row per product name.
* ``reviews``: cleaned text and metadata; ``content_hash`` is unique per product, so importing the
  same review twice stores it once (see :func:`content_hash`); ``language`` is the language detected
  at import (:func:`core.nlp.language.detect_language`), ``extra`` the file's other columns
  (verified purchase, helpful votes, channel, region...) as a small JSON object of strings.
* ``predictions``: one row per (review, model version); re-scoring adds rows and never deletes.
  ``is_latest`` marks each review's most recently stored prediction, the default the dashboard shows.
* ``imports``: every CSV upload, scrape run and manual entry with its counts, status and timing.
* ``daily_sentiment``: counts per product, day and latest label, so overview queries stay fast
  over millions of reviews (maintained by :mod:`core.storage.rollups`).
* ``site_ratings``: a product page's own average rating (schema.org ``aggregateRating``) as each
  scrape saw it, so the dashboard can set the site's stars beside the reviews' sentiment.
* ``app_settings``: key/value pairs, including ``schema_version``.
* ``aspect_mentions``: each product facet a review's sentence (or contrast clause) names, with that
  unit's sentiment, per model version; ``aspect_coverage`` marks the (review, version) pairs whose
  mentions were computed (a review may name none); ``aspect_rules``: analysts' renames, merges,
  hidden aspects and added ones, applied when aspects are read (:mod:`core.storage.aspects`).

:func:`dialect_insert` and :func:`upsert_ignore` live here, beside the tables they write, so that
:mod:`core.storage.rollups` needs nothing but this module (and the engine can rebuild the rollup).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.dml import Insert

# 2: who runs each import (pid, host); 3: aspect tables; 4: the review date in the dedupe key, each
# review's detected language and its extra columns
SCHEMA_VERSION = 4
SOURCES = ("csv", "scrape", "manual")
STATUSES = ("running", "succeeded", "failed", "cancelled")


def utcnow() -> datetime:
    """Naive UTC now: every timestamp in the store is naive UTC, so SQLite and PostgreSQL agree."""
    return datetime.now(UTC).replace(tzinfo=None)


def naive_utc(value: datetime | None) -> datetime | None:
    """Convert an aware datetime to naive UTC; naive values are taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""

    # Every model here is mapped to a Table (DeclarativeBase types it as any FromClause, which has no
    # insert/update/name); a ClassVar annotation is not a column to the declarative scan.
    __table__: ClassVar[Table]


class Product(Base):
    """A product (or any subject the reviews are about), identified by its name."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ImportRun(Base):
    """One import: a CSV/XLSX upload, a scrape run, or manually entered reviews."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # csv | scrape | manual
    source_name: Mapped[str] = mapped_column(String(1000), default="")
    # "user" is reserved in PostgreSQL, hence the column name
    user: Mapped[str] = mapped_column("user_name", String(200), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(10), default="running")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    reject_reasons: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # rows stored without a value (e.g. "unparseable date (stored without date)"), by reason
    warnings: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    products: Mapped[list[str]] = mapped_column(JSON, default=list)
    model_version: Mapped[str | None] = mapped_column(String(100))
    seconds: Mapped[float | None] = mapped_column(Float)
    # the process running the import, so a run left "running" by a dead process can be closed (v2)
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (Index("ix_imports_kind_started", "kind", "started_at"),)


class Review(Base):
    """One review, cleaned, with its rating normalised to 0–1 and the raw value kept."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    rating_raw: Mapped[str | None] = mapped_column(String(100))
    rating: Mapped[float | None] = mapped_column(Float)
    review_date: Mapped[datetime | None] = mapped_column(DateTime)
    author: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(10))  # csv | scrape | manual
    source_url: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # v4: "english" | "spanish" | "unknown"; NULL only while an upgrade has not reached the row
    language: Mapped[str | None] = mapped_column(String(10))
    # v4: the file's unmapped columns, {column: value} (see core.ingestion.rows.extra_values)
    extra: Mapped[dict[str, str | int | float] | None] = mapped_column(JSON(none_as_null=True))

    __table_args__ = (
        UniqueConstraint("product_id", "content_hash", name="uq_reviews_product_hash"),
        # trend and date-range filters per product; rating rides along so summaries read only the index
        Index("ix_reviews_product_date", "product_id", "review_date", "rating"),
        Index("ix_reviews_import", "import_id"),
        # the review table across all products, newest first, without sorting a million rows (SQLite
        # walks it backwards: NULL sorts lowest there; PostgreSQL's own index follows the class)
        Index("ix_reviews_date", "review_date", "id").ddl_if(dialect="sqlite"),
    )


# PostgreSQL sorts NULL first in DESC order, so newest-first-undated-last needs an index of that shape.
Index("ix_reviews_date_desc", Review.review_date.desc().nulls_last(), Review.id.desc()).ddl_if(
    dialect="postgresql"
)


class PredictionRow(Base):
    """A model's prediction for one review; one row per (review, model version)."""

    __tablename__ = "predictions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    model_version: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(12))  # negative | neutral | positive | unscorable
    p_negative: Mapped[float | None] = mapped_column(Float)
    p_neutral: Mapped[float | None] = mapped_column(Float)
    p_positive: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[float | None] = mapped_column(Float)
    scored_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    is_latest: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        UniqueConstraint("review_id", "model_version", name="uq_predictions_review_version"),
        # the join "each review's latest prediction" reads only this index
        Index("ix_predictions_latest", "review_id", "is_latest", "label", "confidence"),
        # per-version counts and dates (the model-versions table) read only this index
        Index("ix_predictions_version", "model_version", "is_latest", "scored_at"),
    )


class DailySentiment(Base):
    """Pre-aggregated counts per product, day and latest label, kept in step by every write.

    The overview queries (product summary, sentiment over time) read this small table instead of
    joining a million reviews to their predictions; :mod:`core.storage.rollups` maintains and rebuilds it.
    ``day`` is ``YYYY-MM-DD`` (UTC) or ``""`` for undated reviews; ``label`` is ``""`` for reviews
    without a prediction.
    """

    __tablename__ = "daily_sentiment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    day: Mapped[str] = mapped_column(String(10))
    # the day's week (its Monday) and month (its 1st), so weekly and monthly views group plain columns
    week: Mapped[str] = mapped_column(String(10), default="")
    month: Mapped[str] = mapped_column(String(10), default="")
    label: Mapped[str] = mapped_column(String(12))
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[float] = mapped_column(Float, default=0.0)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("product_id", "day", "label", name="uq_daily_product_day_label"),)


class SiteRating(Base):
    """A product page's own average rating (schema.org ``aggregateRating``) as one scrape saw it."""

    __tablename__ = "site_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"))
    source_url: Mapped[str] = mapped_column(Text)
    value: Mapped[float] = mapped_column(Float)  # as the page shows it, e.g. 4.3
    best: Mapped[float] = mapped_column(Float, default=5.0)  # top of the page's scale
    worst: Mapped[float] = mapped_column(Float, default=1.0)
    ratings: Mapped[int | None] = mapped_column(Integer)  # ratingCount, when the page gives it
    reviews: Mapped[int | None] = mapped_column(Integer)  # reviewCount
    observed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_site_ratings_product_observed", "product_id", "observed_at"),)


class AppSetting(Base):
    """A key/value setting stored with the data (e.g. ``schema_version``)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- aspects (schema version 2) -----------------------------------------------------------------


class AspectMention(Base):
    """An aspect named in one unit (sentence or contrast clause) of a review, judged by that unit."""

    __tablename__ = "aspect_mentions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    model_version: Mapped[str] = mapped_column(String(100))
    aspect: Mapped[str] = mapped_column(String(120))  # "cat:delivery", "term:carafe"
    term: Mapped[str] = mapped_column(String(200))  # the words as written, lower-case
    phrase: Mapped[str] = mapped_column(String(200))  # their lemmas
    language: Mapped[str] = mapped_column(String(10))
    unit_start: Mapped[int] = mapped_column(Integer)
    unit_end: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(12))
    p_negative: Mapped[float | None] = mapped_column(Float)
    p_neutral: Mapped[float | None] = mapped_column(Float)
    p_positive: Mapped[float | None] = mapped_column(Float)
    negated: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_aspect_mentions_review", "review_id", "model_version"),)


class AspectCoverage(Base):
    """A (review, model version) whose aspect mentions were computed (it may have none)."""

    __tablename__ = "aspect_coverage"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    model_version: Mapped[str] = mapped_column(String(100), primary_key=True)


class AspectRule(Base):
    """An analyst's change to the aspects shown: rename, merge, hide, or add (by listing words)."""

    __tablename__ = "aspect_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(10))  # rename | merge | hide | add
    aspect: Mapped[str] = mapped_column(String(120))  # the aspect key it changes (add: "custom:<name>")
    value: Mapped[str] = mapped_column(Text, default="")  # new name | target key | words (comma-separated)
    user: Mapped[str] = mapped_column("user_name", String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def _normalise(value: str | None) -> str:
    return " ".join(value.casefold().split()) if value else ""


def product_key(name: str) -> str:
    """The identity of a product name: case-folded, surrounding and repeated spaces ignored, so
    "zephyr x2  bluetooth speaker" is the product "Zephyr X2 Bluetooth Speaker"."""
    return _normalise(name)


def day_of(value: datetime | str | None) -> str:
    """``YYYY-MM-DD`` of a review date (a naive UTC datetime or an ISO string), ``""`` without one."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return value.strip()[:10]


def content_hash(
    text: str,
    title: str | None = None,
    author: str | None = None,
    review_date: datetime | str | None = None,
) -> str:
    """The dedupe key of a review within its product.

    Built from the text, title, author and the review's day, each case-folded with whitespace
    collapsed, so the same review imported twice (or scraped after being uploaded) is stored once,
    while two customers who both wrote "Great product!" remain two reviews: with different authors,
    or, when anonymous, on different days. Identical text and title on the same day (or both without
    a date) count as one review. (v4 added the day; stores from before are re-keyed on upgrade.)
    """
    key = "\x1f".join((_normalise(text), _normalise(title), _normalise(author), day_of(review_date)))
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def dialect_insert(conn: Connection, table: Any) -> Any:
    """The dialect's own INSERT (SQLite or PostgreSQL), which knows ``ON CONFLICT``."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def upsert_ignore(conn: Connection, table: Any) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the connection's dialect (SQLite or PostgreSQL)."""
    return dialect_insert(conn, table).on_conflict_do_nothing()
