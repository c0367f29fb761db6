"""Fault injection against a real `python -m core.ingest` process: signals at each import phase,
concurrent imports, a full disk, hostile files.

The importer logs ``{"event": "import_phase", "phase": "read" | "score" | "write"}`` (level DEBUG) as it
enters each phase; :class:`IngestProcess` waits for such a line on the child's stderr before
injecting the fault.
Storage cases run once per backend (SQLite, and PostgreSQL when ``SENTIMENT_TEST_PG_URL`` is set).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from core.settings import REPO_ROOT
from tests.conftest import BACKENDS, fresh_store

WORDS = [
    *("good", "bad", "great", "awful", "battery", "screen", "fast", "slow", "love", "hate", "cheap"),
    *("broken", "works", "fine", "noisy", "quiet", "sturdy", "flimsy", "bright", "dim"),
]


def write_reviews(path: Path, rows: int, seed: int = 0) -> Path:
    """A CSV of `rows` distinct reviews (product, rating, text)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["product", "rating", "text"])
        for i in range(rows):
            words = " ".join(WORDS[(i * 7 + k * 3 + seed) % len(WORDS)] for k in range(10))
            writer.writerow([f"Fault P{i % 3}", 1 + (i + seed) % 5, f"{words} review {seed}-{i}"])
    return path


class IngestProcess:
    """`python -m core.ingest ARGS` with its stderr read line by line in a thread."""

    def __init__(self, args: list[str], db_url: str, **env: str) -> None:
        environment = {**os.environ, "SENTIMENT_DB_URL": db_url, "PYTHONUNBUFFERED": "1"}
        environment.update(SENTIMENT_LOG_LEVEL="DEBUG", **env)  # import_phase events are DEBUG
        self.process = subprocess.Popen(
            [sys.executable, "-m", "core.ingest", *args],
            cwd=REPO_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._seen = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._seen:
                self.lines.append(line.rstrip("\n"))
                self._seen.notify_all()
        with self._seen:
            self._seen.notify_all()

    def events(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.lines if line.startswith('{"ts": ')]

    def wait_for(self, event: str, timeout: float = 60, **fields: object) -> None:
        """Block until the child logs `event` with `fields` (or fail if it exits first)."""
        deadline = time.monotonic() + timeout
        with self._seen:
            while True:
                if any(
                    e["event"] == event and all(e.get(k) == v for k, v in fields.items())
                    for e in self.events()
                ):
                    return
                if self.process.poll() is not None and not self._reader.is_alive():
                    pytest.fail(f"exited before {event} {fields}: {self.lines[-5:]}")
                if time.monotonic() > deadline:
                    pytest.fail(f"no {event} {fields} within {timeout} s: {self.lines[-5:]}")
                self._seen.wait(0.05)

    def signal(self, signum: int) -> float:
        self.process.send_signal(signum)
        return time.monotonic()

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        """Exit code, stdout and the non-log stderr lines."""
        code = self.process.wait(timeout)
        self._reader.join(10)
        assert self.process.stdout is not None
        out = self.process.stdout.read()
        self.process.stdout.close()
        human = "\n".join(line for line in self.lines if not line.startswith('{"ts": '))
        return code, out, human


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty store on each backend; child processes reach it through its URL."""
    with fresh_store(request.param, tmp_path) as engine:
        yield engine


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def counts(engine: Engine) -> tuple[list[tuple[int, str]], int, int]:
    """(run id, status) of every import, reviews stored, predictions stored."""
    from core.storage.schema import ImportRun, PredictionRow, Review

    with engine.connect() as conn:
        runs = [tuple(r) for r in conn.execute(select(ImportRun.id, ImportRun.status).order_by(ImportRun.id))]
        reviews = conn.execute(select(func.count()).select_from(Review)).scalar_one()
        predictions = conn.execute(select(func.count()).select_from(PredictionRow)).scalar_one()
    return runs, reviews, predictions


def run_ingest(path: Path, tmp_path: Path, **options: object) -> subprocess.CompletedProcess[str]:
    """`python -m core.ingest PATH` into a fresh SQLite store under `tmp_path`, run to the end."""
    return subprocess.run(
        [sys.executable, "-m", "core.ingest", str(path)],
        cwd=REPO_ROOT,
        env={"SENTIMENT_DB_URL": f"sqlite:///{tmp_path}/store.sqlite", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        **options,  # type: ignore[call-overload]
    )


SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGKILL": signal.SIGKILL}
