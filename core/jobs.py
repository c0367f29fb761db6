"""Background jobs: a child process that reports through a JSON status file.

The two long runs the dashboard starts, an adaptation (`models.adapt.job`) and a crawl
(`scraping.runner`), work the same way, through this module: the app never does the work in its own
process (a Streamlit rerun must not wait minutes, a crash must not take the app down, and Twisted's
reactor cannot restart in a long-lived process). :class:`BackgroundJob` starts the child in its own
process group with its output in a log file, reads the status file the child keeps up to date
(:class:`StatusFile`), cancels the whole group (SIGTERM, then SIGKILL after a grace period) and shows
the end of the log. Every status or record file is rewritten with :func:`write_json_atomic`, so a
reader never sees half a document.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

RUNNING, FINISHED, FAILED, CANCELLED = "running", "finished", "failed", "cancelled"
STATES = (RUNNING, FINISHED, FAILED, CANCELLED)
CANCEL_GRACE_S = 10.0  # SIGTERM lets the child clean up and record "cancelled" before SIGKILL


def write_json_atomic(path: Path, data: Any, *, default: Callable[[Any], Any] | None = None) -> None:
    """Replace `path` with `data` as JSON in one rename: readers see the old file or the new one.

    The temporary file sits in the same folder (a rename is only atomic within one file system) and
    is removed if writing fails (a full disk, a folder in the way); the error is raised.
    :param default: as for :func:`json.dump`, for values JSON has no type for.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, default=default)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in `path`, or `{}` when the file is missing, unreadable or not an object."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class StatusFile:
    """The child's side: its status as a JSON object, merged field by field and rewritten atomically,
    at most every `interval` seconds unless forced (a job's pollers look about once a second).

    :param path: where to write; None keeps the status in memory only (a run in the foreground).
    """

    def __init__(self, path: Path | None, interval: float = 0.5, **initial: Any) -> None:
        self.path = Path(path) if path else None
        self.interval = interval
        self.state: dict[str, Any] = dict(initial)
        self._last = 0.0

    def update(self, force: bool = False, **fields: Any) -> bool:
        """Merge `fields` and rewrite the file unless it was rewritten a moment ago.

        :returns: whether the file was written. OSError from writing is raised.
        """
        self.state.update(fields)
        if self.path is None or (not force and time.monotonic() - self._last < self.interval):
            return False
        self._last = time.monotonic()
        write_json_atomic(self.path, self.state, default=str)
        return True


class BackgroundJob:
    """The parent's side: one child process, its status file and its log.

    :ivar process: None for a job attached to an earlier run's files (it can be read, not cancelled).
    """

    def __init__(self, process: subprocess.Popen[bytes] | None, status_path: Path, log_path: Path) -> None:
        self.process = process
        self.status_path = Path(status_path)
        self.log_path = Path(log_path)
        self._cancelled = False

    @staticmethod
    def launch(
        command: Sequence[str],
        *,
        status_path: Path,
        log_path: Path,
        first_status: Mapping[str, Any],
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Write `first_status`, then start `command` in a new session (its own process group, so
        :meth:`cancel` also stops anything it starts), stdout and stderr into `log_path`, no stdin."""
        write_json_atomic(status_path, dict(first_status))
        with Path(log_path).open("wb") as log:
            return subprocess.Popen(
                list(command),
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def read_status(self) -> dict[str, Any]:
        """What the child last wrote (`{}` before its first write or after a crash mid-way)."""
        return read_json_object(self.status_path)

    @property
    def exit_code(self) -> int | None:
        """The child's exit code once it has ended; None while it runs (or for an attached job)."""
        return None if self.process is None else self.process.poll()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` stopped a running child."""
        return self._cancelled

    def cancel(self, grace: float = CANCEL_GRACE_S) -> None:
        """Stop the child: SIGTERM to its process group, SIGKILL if it is still there after `grace`
        seconds. No-op once it has ended."""
        if self.process is None or self.process.poll() is not None:
            return
        self._cancelled = True
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait()

    def wait_process(self, timeout: float | None = None) -> int | None:
        """Block until the child ends or `timeout` seconds pass; its exit code, or None if still running."""
        if self.process is None:
            return None
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout)
        return self.process.poll()

    def log_lines(self, lines: int) -> list[str]:
        """The last `lines` lines of the child's output (none when there is no log yet)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        return text.strip().splitlines()[-lines:]

    def _signal_group(self, signum: int) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, signum)  # pgid == pid: start_new_session made it the leader
