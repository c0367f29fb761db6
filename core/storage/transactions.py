"""Write transactions on the review store: SQLite writers queue for the write lock, interruptibly.

:func:`write_transaction` is the one way to write (the engine's ``begin`` hook calls
:func:`begin_immediate` on SQLite); :mod:`core.storage.engine` re-exports it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine

from core.settings import get_settings
from core.storage.cancel import signals_deferred

# A statement that meets a lock waits this long in SQLite itself. Writers wait for the write lock in
# Python instead (begin_immediate), in short steps, so Ctrl+C ends the wait at once and the whole
# wait is bounded by SENTIMENT_DB_BUSY_TIMEOUT_S.
SQLITE_BUSY_TIMEOUT_S = 60
LOCK_POLL_MS = 100


class StoreBusy(Exception):
    """Another process held the SQLite store's write lock for longer than the configured wait."""


def begin_immediate(dbapi_connection: Any, wait_s: float | None = None) -> None:
    """``BEGIN IMMEDIATE`` on a raw SQLite connection, queueing behind other writers for at most
    `wait_s` seconds (default SENTIMENT_DB_BUSY_TIMEOUT_S), then :class:`StoreBusy`.

    SQLite's own busy wait sleeps in C, where Python cannot deliver Ctrl+C; polling in short steps
    keeps the queue interruptible.
    """
    wait_s = get_settings().db_busy_timeout_s if wait_s is None else wait_s
    deadline = time.monotonic() + wait_s
    dbapi_connection.execute(f"PRAGMA busy_timeout={LOCK_POLL_MS}")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"The database is busy with another import; waited {wait_s:g} s for it "
                        "(SENTIMENT_DB_BUSY_TIMEOUT_S). Nothing was stored; try again when it finishes."
                    ) from exc
                time.sleep(0.05)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")


@contextmanager
def write_transaction(engine: Engine, wait_s: float | None = None) -> Iterator[Connection]:
    """A connection inside one write transaction: committed on success, rolled back on error.

    On SQLite the transaction starts with ``BEGIN IMMEDIATE`` so concurrent writers queue (for at
    most SENTIMENT_DB_BUSY_TIMEOUT_S, then :class:`StoreBusy`) instead of failing. SIGINT/SIGTERM
    arriving inside the transaction take effect at its end or at the next
    :func:`core.storage.cancel.raise_if_cancelled`, never inside a driver call (which would leave the
    transaction and its lock open until the process exits).

    :param wait_s: SQLite: wait at most this long for the write lock (default SENTIMENT_DB_BUSY_TIMEOUT_S).
    """
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = conn.execution_options(sqlite_immediate=True, sqlite_lock_wait_s=wait_s)
        with conn.begin(), signals_deferred():
            yield conn
