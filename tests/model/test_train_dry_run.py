"""`python -m models.train --dry-run` runs every step on one tiny batch, never touching shipped files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import REPO_ROOT


@pytest.mark.slow
def test_dry_run_end_to_end(tmp_path: Path) -> None:
    shipped = (REPO_ROOT / "models" / "sentiment.pt").stat().st_mtime
    cmd = [sys.executable, "-m", "models.train", "--dry-run", "--skip-compare", "--out", str(tmp_path)]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name in ("sentiment.pt", "features.json", "model_card.json", "MODEL_CARD.md"):
        assert (tmp_path / name).is_file()
    card = json.loads((tmp_path / "model_card.json").read_text())
    assert card["dry_run"] is True
    assert "tweets/test" in card["metrics"]["in_domain"]
    assert (REPO_ROOT / "models" / "sentiment.pt").stat().st_mtime == shipped
