"""Signals at each import phase of a real `python -m core.ingest`: nothing stored, the run closed.

SIGINT/SIGTERM: the process ends within seconds with one `error:` line (no traceback), exit 130/143,
the run recorded ``cancelled``. kill -9: the run stays ``running`` until the store is next opened,
which marks it ``failed`` because its process is gone. Either way no review is stored and SQLite's
integrity check passes.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from core.storage.engine import dispose_engines, get_engine
from core.storage.schema import ImportRun
from tests.faults.conftest import SIGNALS, IngestProcess, counts, url_of, write_reviews

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CANCELLED_LINE = "error: Cancelled ({name}): nothing was stored."


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough rows that scoring takes several chunks and writing several batches (about a second each)."""
    return write_reviews(tmp_path_factory.mktemp("faults") / "reviews.csv", 20_000)


def start_in_phase(phase: str, store: Engine, big_csv: Path, tmp_path: Path) -> IngestProcess:
    """An import held in `phase`: reading a FIFO nobody writes to, scoring chunk 1 of 3, or writing."""
    if phase == "read":
        fifo = tmp_path / "slow_source.csv"
        os.mkfifo(fifo)
        child = IngestProcess([str(fifo)], url_of(store))
        child.wait_for("import_phase", phase="read")
        time.sleep(0.2)  # inside the blocking read
        return child
    child = IngestProcess([str(big_csv)], url_of(store))
    if phase == "score":
        child.wait_for("scoring")  # the first of three chunks
    else:
        child.wait_for("import_phase", phase="write")
    return child


def assert_store_intact(store: Engine) -> None:
    _, reviews, predictions = counts(store)
    assert (reviews, predictions) == (0, 0)
    if store.dialect.name == "sqlite":
        with sqlite3.connect(store.url.database) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


# SIGTERM takes SIGINT's path; the write phase is the one where it matters
@pytest.mark.parametrize(
    ("name", "phase"), [("SIGINT", "read"), ("SIGINT", "score"), ("SIGINT", "write"), ("SIGTERM", "write")]
)
def test_interrupt_cancels_promptly_with_one_line(
    phase: str, name: str, store: Engine, big_csv: Path, tmp_path: Path
) -> None:
    child = start_in_phase(phase, store, big_csv, tmp_path)
    sent = child.signal(SIGNALS[name])
    code, out, human = child.finish(timeout=30)
    assert time.monotonic() - sent < 10, "the import did not stop promptly"
    assert code == 128 + SIGNALS[name]
    assert human == CANCELLED_LINE.format(name=name), human
    assert out == ""
    runs, _, _ = counts(store)
    assert runs == [(1, "cancelled")]
    assert_store_intact(store)


@pytest.mark.parametrize("phase", ["read", "score", "write"])
def test_kill_9_leaves_nothing_and_the_next_start_marks_the_run_failed(
    phase: str, store: Engine, big_csv: Path, tmp_path: Path
) -> None:
    child = start_in_phase(phase, store, big_csv, tmp_path)
    child.signal(signal.SIGKILL)
    assert child.finish(timeout=30)[0] == -signal.SIGKILL
    pid = child.process.pid
    runs, _, _ = counts(store)
    assert runs == [(1, "running")]  # nobody has looked yet
    url = url_of(store)
    dispose_engines(url)
    reopened = get_engine(url)  # what the next CLI run or dashboard start does
    with reopened.connect() as conn:
        run = conn.execute(
            select(ImportRun.status, ImportRun.errors, ImportRun.pid).where(ImportRun.id == 1)
        ).one()
    assert run.status == "failed" and run.pid == pid
    assert run.errors == [
        f"The process that ran this import (pid {pid} on {os.uname().nodename}) ended without finishing it "
        "(killed or crashed)."
    ]
    assert_store_intact(reopened)


def test_a_live_run_is_not_marked_failed(store: Engine, big_csv: Path, tmp_path: Path) -> None:
    child = start_in_phase("read", store, big_csv, tmp_path)
    try:
        url = url_of(store)
        dispose_engines(url)
        get_engine(url)
        assert counts(store)[0] == [(1, "running")]
    finally:
        child.signal(signal.SIGINT)
        child.finish(timeout=30)


def test_ctrl_c_while_queued_behind_another_writer_ends_at_once(
    store: Engine, big_csv: Path, tmp_path: Path
) -> None:
    """The issue's 61 s hang: the wait for the write lock must not swallow Ctrl+C."""
    if store.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock")
    child = IngestProcess([str(big_csv)], url_of(store))
    holder = sqlite3.connect(store.url.database, isolation_level=None)
    try:
        child.wait_for("import_phase", phase="score")
        holder.execute("BEGIN IMMEDIATE")  # another import is writing
        child.wait_for("import_phase", phase="write")
        time.sleep(0.5)  # queued for the lock
        sent = child.signal(signal.SIGINT)
        time.sleep(1)
        holder.execute("ROLLBACK")  # the other import finishes; the cancellation can be recorded
        code, _, human = child.finish(timeout=30)
    finally:
        holder.close()
    assert time.monotonic() - sent < 5
    assert code == 130 and human == CANCELLED_LINE.format(name="SIGINT")
    assert counts(store)[0] == [(1, "cancelled")]
    assert_store_intact(store)


def test_a_signal_inside_a_driver_call_is_still_remembered_as_the_stop() -> None:
    """PostgreSQL turns a signal during a query into its own error (the query is cancelled), not
    Cancelled: the CLI and the run record go by `received_signal()` so that still reads as the stop."""
    from core.storage.cancel import Cancelled, cancel_on_signals, received_signal, signals_deferred

    with pytest.raises(Cancelled), cancel_on_signals(), signals_deferred():
        assert received_signal() is None
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.01)  # the handler runs at the next bytecode boundary
        assert received_signal() == signal.SIGTERM
    with cancel_on_signals():
        assert received_signal() is None  # each block starts clean
