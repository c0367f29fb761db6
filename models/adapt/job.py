"""Run an adaptation in the background from the app: `python -m models.adapt` in its own process.

A :class:`core.jobs.BackgroundJob`, like a crawl: :meth:`AdaptJob.start` launches the CLI with a
`--status-file`, :meth:`AdaptJob.status` reads that JSON file (written atomically by the CLI through
:class:`core.jobs.StatusFile`), and :meth:`AdaptJob.cancel` stops the process group. A version
directory is only renamed into the registry at the very end, so a cancelled run leaves nothing behind.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import jobs
from core.jobs import CANCELLED, FAILED, RUNNING, BackgroundJob
from core.settings import REPO_ROOT, get_settings

STARTING: dict[str, Any] = {"state": RUNNING, "stage": "starting", "progress": 0.0, "message": "Starting…"}


@dataclass
class AdaptStatus:
    """What a background adaptation is doing, or how it ended."""

    state: str  # "running" | "finished" | "failed" | "cancelled"
    progress: float  # 0–1
    stage: str  # "starting", "data", "features", "training", "evaluating", "writing", "done"
    message: str  # one readable line (the verdict when finished, the reason when failed)
    result: dict[str, Any] = field(default_factory=dict)  # models.adapt.pipeline.summary(...) + version_dir
    class_counts: dict[str, int] = field(default_factory=dict)
    exit_code: int | None = None

    @property
    def done(self) -> bool:
        """True once the run has ended, whichever way."""
        return self.state != RUNNING


class AdaptJob(BackgroundJob):
    """One background adaptation run."""

    @classmethod
    def start(
        cls,
        *,
        csv: Path | None = None,
        text_column: str | None = None,
        rating_column: str | None = None,
        product_column: str | None = None,
        products: list[str] | None = None,
        seed: int = 13,
        negative_max: float | None = None,
        positive_min: float | None = None,
        extra_args: list[str] | None = None,
        jobs_dir: Path | None = None,
    ) -> AdaptJob:
        """Start `python -m models.adapt` on a rated file (`csv` + columns) or on stored `products`.

        :param products: product names; an empty list means every rated review in the store.
        :param jobs_dir: where status and log files go (default: `<data_dir>/adapt_jobs`).
        """
        if (csv is None) == (products is None):
            raise ValueError("give either a rated file (csv=...) or products=[...]")
        jobs_dir = jobs_dir or get_settings().data_dir / "adapt_jobs"
        jobs_dir.mkdir(parents=True, exist_ok=True)
        job_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        status_path, log_path = jobs_dir / f"{job_id}.json", jobs_dir / f"{job_id}.log"
        cmd = [sys.executable, "-m", "models.adapt", "--status-file", str(status_path), "--seed", str(seed)]
        if csv is not None:
            cmd += [
                "--csv",
                str(csv),
                "--text-column",
                str(text_column),
                "--rating-column",
                str(rating_column),
            ]
            cmd += ["--product-column", product_column] if product_column else []
        else:
            cmd += ["--products", *products] if products else ["--all-products"]
        if negative_max is not None:
            cmd += ["--negative-max", str(negative_max)]
        if positive_min is not None:
            cmd += ["--positive-min", str(positive_min)]
        cmd += extra_args or []
        process = cls.launch(
            cmd,
            status_path=status_path,
            log_path=log_path,
            first_status=STARTING,
            cwd=REPO_ROOT,
            env=os.environ,
        )
        return cls(process, status_path, log_path)

    @classmethod
    def attach(cls, status_path: Path) -> AdaptJob:
        """A job object for a status file written earlier (e.g. after an app restart); cannot cancel."""
        return cls(None, Path(status_path), Path(status_path).with_suffix(".log"))

    def status(self) -> AdaptStatus:
        """The run's current status; a process that died without saying why is reported as failed."""
        raw = self.read_status() or dict(STARTING)
        state = str(raw.get("state", RUNNING))
        exited = self.exit_code is not None
        if self.cancelled and state == RUNNING:
            state, raw["message"] = CANCELLED, "Adaptation cancelled."
        elif exited and state == RUNNING:
            state = FAILED
            raw["message"] = f"The adaptation process stopped unexpectedly: {self.log_tail() or 'no output'}"
        return AdaptStatus(
            state=state,
            progress=float(raw.get("progress", 0.0)),
            stage=str(raw.get("stage", "")),
            message=str(raw.get("message", "")),
            result=dict(raw.get("result") or {}),
            class_counts=dict(raw.get("class_counts") or {}),
            exit_code=raw.get("exit_code"),
        )

    def log_tail(self, lines: int = 3) -> str:
        """The last lines of the run's output (for failure messages)."""
        return " ".join(self.log_lines(lines))

    def wait(self, timeout: float | None = None) -> AdaptStatus:
        """Block until the run ends (tests and scripts); returns the final status."""
        if self.process is not None:
            self.process.wait(timeout=timeout)
        return self.status()


class StatusFile(jobs.StatusFile):
    """Progress as a small JSON file, written by the CLI for :class:`AdaptJob`; atomic rewrites."""

    def __init__(self, path: Path | None, interval: float = 0.5) -> None:
        super().__init__(path, interval, state=RUNNING, stage="starting", progress=0.0, message="",
                         pid=os.getpid(), started_at=time.time())  # fmt: skip

    def __call__(self, stage: str, fraction: float, message: str) -> None:
        self.update(stage=stage, progress=fraction, message=message)

    def update(self, force: bool = False, **fields: Any) -> bool:
        """Merge `fields` (and the time) into the status; rewrite the file at most every `interval` s."""
        return super().update(force, **fields, updated_at=time.time())
