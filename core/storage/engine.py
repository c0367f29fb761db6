"""The review store's engines: one per database URL, schema created and upgraded on first use.

SQLite gets WAL journaling, foreign keys, a busy timeout and Unicode case folding; writers take the
write lock up front (:func:`write_transaction`). PostgreSQL 15 is used as is. The tables are in
:mod:`core.storage.schema`; a store from before the ``daily_sentiment`` rollup gets it computed once
by :func:`ensure_schema` (through :mod:`core.storage.rollups`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, create_engine, event, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from core.logs import log_event
from core.nlp.language import detect_language
from core.settings import get_settings
from core.storage import rollups
from core.storage.schema import (
    SCHEMA_VERSION,
    AppSetting,
    Base,
    DailySentiment,
    ImportRun,
    PredictionRow,
    Product,
    Review,
    SiteRating,
    content_hash,
)
from core.storage.transactions import (
    LOCK_POLL_MS,
    SQLITE_BUSY_TIMEOUT_S,
    begin_immediate,
    write_transaction,
)

_PG_SCHEMA_LOCK = 7_310_442  # arbitrary advisory-lock key: replicas upgrading at once take turns

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


class StoreMissing(Exception):
    """A store opened for reading does not exist (reading never creates one)."""


def get_engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: settings' database URL), created once per URL, schema ensured.

    SQLite files get their parent folder created, WAL journaling, foreign keys and a busy timeout.
    Runs left ``running`` by a process that no longer exists are marked failed
    (:func:`core.storage.runs.fail_abandoned_runs`).
    """
    url = url or get_settings().database_url
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create_engine(url)
            ensure_schema(engine)
            from core.storage.runs import fail_abandoned_runs

            fail_abandoned_runs(engine)
            _engines[url] = engine
        return engine


def open_store(url: str | None = None) -> Engine:
    """:func:`get_engine` for reading: a SQLite file that does not exist is refused, never created.

    :raises StoreMissing: with a one-line message naming the path.
    """
    url = url or get_settings().database_url
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:"):
        path = Path(database).expanduser()
        if not database.startswith("file:") and not path.is_file():
            raise StoreMissing(
                f"There is no database at {path} (check SENTIMENT_DB_URL / SENTIMENT_DATA_DIR); "
                "nothing was created."
            )
    return get_engine(url)


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
        options = conn.get_execution_options()
        if options.get("sqlite_immediate", False):
            begin_immediate(conn.connection.dbapi_connection, options.get("sqlite_lock_wait_s"))
        else:
            conn.exec_driver_sql("BEGIN")


# --- schema creation and upgrades --------------------------------------------------------------


# MIGRATIONS[n] upgrades a database from schema version n-1 to n. New databases are created at
# SCHEMA_VERSION directly by create_all; the steps only run for databases made by older code.
def _add_run_owner(conn: Connection) -> None:
    """v2: the pid and host of the process running each import (see :mod:`core.storage.runs`)."""
    conn.execute(text("ALTER TABLE imports ADD COLUMN pid INTEGER"))
    conn.execute(text("ALTER TABLE imports ADD COLUMN host VARCHAR(255)"))


MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _add_run_owner}


def _aspects_added(_conn: Connection) -> None:
    """Version 3 added the aspect tables, which `create_all` has just made. Mentions of reviews stored
    before need the model and are computed on first use (:func:`core.storage.aspect_scoring.backfill`).
    """


MIGRATIONS[3] = _aspects_added  # aspects (issue 16)

_REKEY_CHUNK = 5_000  # reviews read and updated per batch by the v4 upgrade


def _rekey_reviews(conn: Connection) -> None:
    """v4: the review's day joins the dedupe key; each review gets its detected language and an
    (empty) ``extra`` column.

    Every stored hash is recomputed with :func:`core.storage.schema.content_hash`. The new key only
    splits old ones (it adds the day), so reviews unique before stay unique and the unique constraint
    holds at every step; the upgrade runs inside :func:`ensure_schema`'s transaction, so a failure
    leaves the store at version 3, untouched.
    """
    columns = {column["name"] for column in inspect(conn).get_columns("reviews")}
    if "language" not in columns:
        conn.execute(text("ALTER TABLE reviews ADD COLUMN language VARCHAR(10)"))
    if "extra" not in columns:
        conn.execute(text("ALTER TABLE reviews ADD COLUMN extra JSON"))
    table = Review.__table__
    statement = (
        table.update()
        .where(table.c.id == bindparam("review_id"))
        .values(content_hash=bindparam("new_hash"), language=bindparam("new_language"))
    )
    last = done = 0
    while True:
        rows = conn.execute(
            select(Review.id, Review.text, Review.title, Review.author, Review.review_date, Review.language)
            .where(Review.id > last)
            .order_by(Review.id)
            .limit(_REKEY_CHUNK)
        ).all()
        if not rows:
            break
        params = [
            {
                "review_id": row.id,
                "new_hash": content_hash(row.text, row.title, row.author, row.review_date),
                "new_language": row.language or detect_language(row.text),
            }
            for row in rows
        ]
        conn.execute(statement, params)
        last = rows[-1].id
        done += len(rows)
    log_event("schema_upgrade", version=4, reviews_rekeyed=done)


MIGRATIONS[4] = _rekey_reviews


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
            rollups.rebuild(conn)  # a store from before the rollup: compute it once
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
    refresh to a few milliseconds by sampling. Housekeeping: it runs after a commit, so a failure
    (another import holding the lock: "database is locked") is logged and skipped, never raised; the
    next import refreshes the statistics.
    """
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={LOCK_POLL_MS * 10}")  # never queue long for it
            try:
                conn.exec_driver_sql("PRAGMA analysis_limit=1000")
                conn.exec_driver_sql("PRAGMA optimize")
                conn.commit()
            finally:
                conn.rollback()
                conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    except Exception as exc:
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        log_event("optimize_skipped", error=f"{type(exc).__name__}: {detail}")


def count_rows(engine: Engine) -> dict[str, int]:
    """Row counts of the data tables: products, reviews, predictions, imports, site ratings."""
    with engine.connect() as conn:
        return {
            table.__tablename__: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (Product, Review, PredictionRow, ImportRun, SiteRating)
        }
