"""The review store: SQLAlchemy 2 schema, engines, automatic schema upgrades.

One database holds everything: SQLite (a file under the data folder, WAL mode) by default, or
PostgreSQL 15 when `SENTIMENT_DB_URL` points at one, so several app replicas share the data.

Tables:

* ``products``: one row per product name.
* ``reviews``: cleaned text and metadata; ``content_hash`` is unique per product, so importing the
  same review twice stores it once (see :func:`content_hash`).
* ``predictions``: one row per (review, model version); re-scoring adds rows and never deletes.
  ``is_latest`` marks each review's most recently stored prediction, the default the dashboard shows.
* ``imports``: every CSV upload, scrape run and manual entry with its counts, status and timing.
* ``daily_sentiment``: counts per product, day and latest label, so overview queries stay fast
  over millions of reviews (maintained by :mod:`core.rollup`).
* ``site_ratings``: a product page's own average rating (schema.org ``aggregateRating``) as each
  scrape saw it, so the dashboard can set the site's stars beside the reviews' sentiment.
* ``app_settings``: key/value pairs, including ``schema_version``.

Queries live in :mod:`core.queries`; they are also importable from here (``core.store.product_summary``).
"""

from __future__ import annotations

import getpass
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.dml import Insert

from core.settings import get_settings

SCHEMA_VERSION = 1
SOURCES = ("csv", "scrape", "manual")
STATUSES = ("running", "succeeded", "failed", "cancelled")
SQLITE_BUSY_TIMEOUT_S = 60  # a 100k-row import holds the write lock for a few seconds; wait, don't fail
_PG_SCHEMA_LOCK = 7_310_442  # arbitrary advisory-lock key: replicas upgrading at once take turns


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
    joining a million reviews to their predictions; :mod:`core.rollup` maintains and rebuilds it.
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


def _normalise(value: str | None) -> str:
    return " ".join(value.casefold().split()) if value else ""


def content_hash(text: str, title: str | None = None, author: str | None = None) -> str:
    """The dedupe key of a review within its product.

    Built from the text, title and author, each case-folded with whitespace collapsed, so the same
    review imported twice (or scraped after being uploaded) is stored once, while two customers who
    both wrote "Great product!" remain two reviews. Without an author, identical text and title
    count as one review. The date is left out because scraped relative dates ("2 days ago") drift.
    """
    key = "\x1f".join((_normalise(text), _normalise(title), _normalise(author)))
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def current_user() -> str:
    """Who an import is recorded under: `SENTIMENT_USER`, else the OS user."""
    configured = get_settings().user
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # containers often run as a uid with no passwd entry
        return "unknown"


# --- engines -----------------------------------------------------------------------------------

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def get_engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: settings' database URL), created once per URL, schema ensured.

    SQLite files get their parent folder created, WAL journaling, foreign keys and a busy timeout.
    """
    url = url or get_settings().database_url
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create_engine(url)
            ensure_schema(engine)
            _engines[url] = engine
        return engine


def dispose_engines(url: str | None = None) -> None:
    """Close and forget the cached engine for `url`, or every cached engine (tests, before deleting
    a database file).
    """
    with _engines_lock:
        for key in [url] if url is not None else list(_engines):
            engine = _engines.pop(key, None)
            if engine is not None:
                engine.dispose()


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # pre-ping: a managed PostgreSQL may drop idle connections between dashboard reruns
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if in_memory:
        engine = create_engine(
            url, poolclass=StaticPool, connect_args={"check_same_thread": False, "timeout": 60}
        )
    else:
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
        )
    _configure_sqlite(engine, wal=not in_memory)
    return engine


def _casefold(value: str | None) -> str | None:
    return value.casefold() if value is not None else None


def _configure_sqlite(engine: Engine, wal: bool) -> None:
    """Let SQLAlchemy own transactions (pysqlite's implicit BEGIN breaks them) and set pragmas."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, see _on_begin
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable in WAL mode except on power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        # Reading one product's reviews touches pages all over a large file: map it into memory and
        # keep a larger page cache rather than paying a read() call per page.
        cursor.execute("PRAGMA mmap_size=1073741824")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()
        # SQLite's LIKE and lower() fold ASCII only; text search of "ÑANDÚ" needs Unicode case folding
        dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers take the write lock up front: a deferred transaction that read first and then
        # tries to write fails at once (SQLITE_BUSY) when another writer committed in between.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection inside one write transaction: committed on success, rolled back on error.

    On SQLite the transaction starts with ``BEGIN IMMEDIATE`` so concurrent writers queue on the
    busy timeout instead of failing.
    """
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            yield conn


def dialect_insert(conn: Connection, table: Any) -> Any:
    """The dialect's own INSERT (SQLite or PostgreSQL), which knows ``ON CONFLICT``."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def upsert_ignore(conn: Connection, table: Any) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the connection's dialect (SQLite or PostgreSQL)."""
    return dialect_insert(conn, table).on_conflict_do_nothing()


# --- schema creation and upgrades --------------------------------------------------------------

# MIGRATIONS[n] upgrades a database from schema version n-1 to n. New databases are created at
# SCHEMA_VERSION directly by create_all; the steps only run for databases made by older code.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}


def ensure_schema(engine: Engine) -> int:
    """Create missing tables and run pending upgrades; safe to run twice and from several processes.

    :return: the schema version now in the database.
    """
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SCHEMA_LOCK})
        existing = set(inspect(conn).get_table_names())
        existed = Review.__tablename__ in existing
        Base.metadata.create_all(conn)
        _add_missing_indexes(conn, existing)
        if existed and DailySentiment.__tablename__ not in existing:
            from core import rollup  # imported here: core.rollup imports this module

            rollup.rebuild(conn)  # a store from before the rollup: compute it once
        row = conn.execute(select(AppSetting.value).where(AppSetting.key == "schema_version")).first()
        # a database without a recorded version predates versioning: version 1 is that baseline
        version = int(row[0]) if row else (1 if existed else SCHEMA_VERSION)
        for step in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[step](conn)
        if row is None:
            conn.execute(
                AppSetting.__table__.insert().values(key="schema_version", value=str(SCHEMA_VERSION))
            )
        elif version != SCHEMA_VERSION:
            conn.execute(
                AppSetting.__table__.update()
                .where(AppSetting.key == "schema_version")
                .values(value=str(SCHEMA_VERSION))
            )
    return SCHEMA_VERSION


def _add_missing_indexes(conn: Connection, existing: set[str]) -> None:
    """Create indexes added to tables that already existed (create_all only makes new tables)."""
    for table in Base.metadata.sorted_tables:
        if table.name in existing:
            for index in table.indexes:
                index.create(conn, checkfirst=True)


def schema_version(engine: Engine) -> int:
    """The schema version recorded in the database."""
    with engine.connect() as conn:
        value = conn.execute(select(AppSetting.value).where(AppSetting.key == "schema_version")).scalar_one()
    return int(value)


def optimize(engine: Engine) -> None:
    """Refresh SQLite's planner statistics after a bulk change (PostgreSQL's autovacuum does this).

    Without them SQLite may walk the wrong index on a million reviews; ``analysis_limit`` keeps the
    refresh to a few milliseconds by sampling.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        conn.exec_driver_sql("PRAGMA optimize")


def count_rows(engine: Engine) -> dict[str, int]:
    """Row counts of the data tables: products, reviews, predictions, imports, site ratings."""
    with engine.connect() as conn:
        return {
            table.__tablename__: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (Product, Review, PredictionRow, ImportRun, SiteRating)
        }


_QUERY_NAMES = frozenset(
    {
        "product_summary",
        "reviews_frame",
        "sentiment_over_time",
        "rating_label_crosstab",
        "store_health",
        "list_imports",
        "model_versions_in_store",
        "product_names",
    }
)


def __getattr__(name: str) -> Any:
    """Expose the query functions of :mod:`core.queries` here too, as the team contract lists them."""
    if name in _QUERY_NAMES:
        from core import queries  # imported lazily: core.queries imports this module

        return getattr(queries, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
