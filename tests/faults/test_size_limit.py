"""One size rule, in bytes, checked before a file is read: SENTIMENT_MAX_UPLOAD_MB MiB everywhere.

The issue: `core.ingest` read a 2 GB file into memory (2.2 GB) before refusing it, and the browser
counted 200 MB as decimal while the CLI counted 200 MiB.
"""

from __future__ import annotations

import math
import resource
import tomllib
from pathlib import Path

from core.settings import REPO_ROOT, load_settings
from tests.faults.conftest import run_ingest

ADDRESS_SPACE = 1536 * 2**20  # the CLI runs well within this; reading a 2 GiB file does not


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def test_cli_refuses_a_2_gib_file_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:  # sparse: 2 GiB of NULs that take no disk
        handle.truncate(2 * 2**30)
    result = run_ingest(huge, tmp_path, preexec_fn=_limit_memory)
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stderr.splitlines()[-1] == (
        "error: File is 2.0 GiB; the limit is 200 MiB (SENTIMENT_MAX_UPLOAD_MB, in MiB)."
    )


def test_streamlit_never_refuses_what_the_app_accepts() -> None:
    """Streamlit may count MB as 10**6 bytes: its limit is the app's limit in decimal MB, rounded up."""
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    limit_bytes = load_settings(env_file=Path("/nonexistent")).max_upload_bytes
    assert limit_bytes == 200 * 2**20
    assert config["server"]["maxUploadSize"] == math.ceil(limit_bytes / 10**6) == 210


def test_the_upload_page_asks_the_uploader_for_the_same_figure() -> None:
    from dashboard.views.upload import browser_limit_mb

    assert browser_limit_mb() == 210
