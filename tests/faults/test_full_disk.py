"""A full disk during an import: one line, nothing half-written, the store intact afterwards.

Runs on a 20 MiB tmpfs, so it needs root (mount); skipped otherwise.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.storage.engine import dispose_engines, get_engine
from tests.faults.conftest import IngestProcess, counts, write_reviews

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        dispose_engines()
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_import_onto_a_full_disk_fails_in_one_line_and_leaves_the_store_intact(
    small_disk: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{small_disk}/store.sqlite"
    get_engine(url)  # the store exists, empty
    filler = small_disk / "filler"
    with filler.open("wb") as handle:  # leave about 1.5 MiB free: the import needs several
        free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
        handle.write(b"\0" * (free - 1536 * 1024))
    source = write_reviews(tmp_path / "reviews.csv", 20_000)
    code, out, human = IngestProcess([str(source)], url).finish(timeout=120)
    assert (code, out) == (1, "")
    assert human == "error: Database error (OperationalError): database or disk is full"
    filler.unlink()
    dispose_engines(url)
    store = get_engine(url)  # the next start closes the run if the failure could not be recorded
    runs, reviews, predictions = counts(store)
    assert [status for _, status in runs] == ["failed"]
    assert (reviews, predictions) == (0, 0)
    with sqlite3.connect(small_disk / "store.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
