"""Run a crawl in its own process and follow it: the dashboard's handle on `python -m scraping crawl`.

Twisted's reactor cannot be restarted inside a long-lived Streamlit process, so each crawl is a
child process (in its own process group, so cancelling also stops anything it started). The
child keeps a JSON status file up to date; :meth:`CrawlJob.status` reads it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.settings import REPO_ROOT

STATES = ("running", "finished", "failed", "cancelled")
_CANCEL_GRACE_S = 10.0  # SIGTERM lets Scrapy close cleanly (the run is recorded as cancelled)


@dataclass
class CrawlStatus:
    """Where a crawl stands, as the dashboard shows it."""

    state: str  # "running" | "finished" | "failed" | "cancelled"
    pages: int = 0
    items: int = 0
    stored: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    message: str = ""
    products: list[str] = field(default_factory=list)
    import_id: int | None = None

    @property
    def done(self) -> bool:
        """Whether the crawl has ended (in any way)."""
        return self.state != "running"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CrawlStatus:
        """Build from the status file's JSON, ignoring unknown keys."""
        state = data.get("state") if data.get("state") in STATES else "running"
        return cls(
            state=str(state),
            pages=int(data.get("pages") or 0),
            items=int(data.get("items") or 0),
            stored=int(data.get("stored") or 0),
            duplicates=int(data.get("duplicates") or 0),
            errors=[str(e) for e in data.get("errors") or []],
            message=str(data.get("message") or ""),
            products=[str(p) for p in data.get("products") or []],
            import_id=int(data["import_id"]) if data.get("import_id") is not None else None,
        )


def crawl_command(
    urls: list[str],
    status_file: Path,
    *,
    product: str | None = None,
    max_pages: int | None = None,
    profile: Path | None = None,
    allow_private: bool | None = None,
    store: bool = True,
) -> list[str]:
    """The `python -m scraping crawl ...` command line for a crawl."""
    command = [sys.executable, "-m", "scraping", "crawl", *urls, "--status-file", str(status_file)]
    if product:
        command += ["--product", product]
    if max_pages is not None:
        command += ["--max-pages", str(int(max_pages))]
    if profile is not None:
        command += ["--profile", str(profile)]
    if allow_private:
        command.append("--allow-private-addresses")
    if not store:
        command.append("--no-store")
    return command


class CrawlJob:
    """One crawl running in a child process."""

    def __init__(self, process: subprocess.Popen[bytes], workdir: Path) -> None:
        self.process = process
        self.workdir = workdir
        self.status_file = workdir / "status.json"
        self.log_file = workdir / "crawl.log"
        self._cancelled = False

    @classmethod
    def start(
        cls,
        urls: list[str],
        *,
        product: str | None = None,
        max_pages: int | None = None,
        profile: Path | None = None,
        allow_private: bool | None = None,
        store: bool = True,
    ) -> CrawlJob:
        """Start `python -m scraping crawl` for `urls` and return at once.

        :param allow_private: True allows private addresses, False refuses them whatever the
            environment says, None follows the SENTIMENT_SCRAPE_ALLOW_PRIVATE setting.
        :param store: False only extracts (progress still counts pages and reviews).
        """
        if not urls:
            raise ValueError("give at least one URL to crawl")
        workdir = Path(tempfile.mkdtemp(prefix="review-crawl-"))
        status_file = workdir / "status.json"
        (status_file).write_text(json.dumps({"state": "running", "message": "Starting…"}), encoding="utf-8")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        if allow_private is False:
            env["SENTIMENT_SCRAPE_ALLOW_PRIVATE"] = "false"
        command = crawl_command(
            urls,
            status_file,
            product=product,
            max_pages=max_pages,
            profile=profile,
            allow_private=allow_private,
            store=store,
        )
        with open(workdir / "crawl.log", "wb") as log:
            process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: cancel() signals the whole group
            )
        return cls(process, workdir)

    def status(self) -> CrawlStatus:
        """The crawl's current status (never raises on a half-written or missing file)."""
        try:
            data = json.loads(self.status_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        status = CrawlStatus.from_dict(data if isinstance(data, dict) else {})
        code = self.process.poll()
        if self._cancelled:
            status.state, status.message = "cancelled", "Crawl cancelled; nothing was stored."
        elif code is not None and status.state == "running":
            # The child died without writing its final state (crashed or was killed).
            status.state = "failed"
            status.message = (
                f"The crawler stopped unexpectedly (exit code {code}). {self.log_tail(3)}".strip()
            )
        return status

    def wait(self, timeout: float | None = None) -> CrawlStatus:
        """Block until the crawl ends (or `timeout` seconds pass) and return its status."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout)
        return self.status()

    def cancel(self) -> None:
        """Stop the crawl: SIGTERM to its process group, SIGKILL if it lingers."""
        if self.process.poll() is not None:
            return
        self._cancelled = True
        self._signal_group(signal.SIGTERM)
        deadline = time.monotonic() + _CANCEL_GRACE_S
        while self.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.process.poll() is None:
            self._signal_group(signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the crawler's output (for error details)."""
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    def cleanup(self) -> None:
        """Delete the job's status and log files once it has ended (no-op while it runs)."""
        if self.process.poll() is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, signum)  # pgid == pid: start_new_session made it a leader
