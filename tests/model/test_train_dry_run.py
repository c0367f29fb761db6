"""`python -m models.train --dry-run` runs every step on one tiny batch, never touching shipped files;
and the training loop's weight averaging."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from core.settings import REPO_ROOT
from models.train import WeightAverage


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


def test_weight_average_is_the_running_mean_of_the_weights() -> None:
    layer, average = nn.Linear(2, 1), WeightAverage()
    for value in (1.0, 2.0, 6.0):
        with torch.no_grad():
            layer.weight.fill_(value)
            layer.bias.fill_(-value)
        average.add(layer)
    assert average.count == 3
    assert torch.equal(average.state["weight"], torch.full((1, 2), 3.0))
    assert torch.equal(average.state["bias"], torch.full((1,), -3.0))
    assert layer.weight[0, 0].item() == 6.0  # the model itself is left as it was
