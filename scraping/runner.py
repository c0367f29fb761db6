"""Run a crawl in its own process and follow it: the dashboard's handle on `python -m scraping crawl`.

Twisted's reactor cannot be restarted inside a long-lived Streamlit process, so each crawl is a
:class:`core.jobs.BackgroundJob` (a child in its own process group, so cancelling also stops anything
it started). The child keeps a JSON status file up to date; :meth:`CrawlJob.status` reads it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.jobs import STATES, BackgroundJob
from core.settings import REPO_ROOT


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


class CrawlJob(BackgroundJob):
    """One crawl running in a child process; its status and log files live in `workdir`."""

    def __init__(self, process: subprocess.Popen[bytes], workdir: Path) -> None:
        super().__init__(process, workdir / "status.json", workdir / "crawl.log")
        self.workdir = workdir

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
        process = cls.launch(
            command,
            status_path=status_file,
            log_path=workdir / "crawl.log",
            first_status={"state": "running", "message": "Starting…"},
            cwd=REPO_ROOT,
            env=env,
        )
        return cls(process, workdir)

    def status(self) -> CrawlStatus:
        """The crawl's current status (never raises on a half-written or missing file)."""
        status = CrawlStatus.from_dict(self.read_status())
        code = self.exit_code
        if self.cancelled:
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
        self.wait_process(timeout)
        return self.status()

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the crawler's output (for error details)."""
        return "\n".join(self.log_lines(lines))

    def cleanup(self) -> None:
        """Delete the job's status and log files once it has ended (no-op while it runs)."""
        if self.exit_code is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
