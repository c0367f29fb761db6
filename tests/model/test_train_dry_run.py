"""`python -m models.train --dry-run` runs every step on one tiny batch, never touching shipped files;
and the training loop's weight averaging."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core.settings import REPO_ROOT
from models.model import BagConfig, BagModel
from models.train import TextSet, train_loop


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


class _Recorder(BagModel):
    """A bag model that remembers the head weights each training step starts from."""

    def __init__(self) -> None:
        super().__init__(BagConfig(n_features=6, dim=4, dropout=0.0))
        self.seen: list[torch.Tensor] = []

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.seen.append(self.head.weight.detach().clone())
        return super().forward(ids, offsets)


def test_weight_averaging_keeps_the_mean_of_the_snapshots() -> None:
    # 7 one-word texts, one per step: snapshots every 2 steps from step 3 (half an epoch) are taken
    # after steps 4 and 6, i.e. the weights steps 5 and 7 start from
    labels = np.array([0, 2, 1, 0, 2, 1, 2], dtype=np.int64)
    data = TextSet(
        labels=labels,
        weights=np.ones(7, dtype=np.float32),
        polar=np.zeros(7, dtype=bool),
        ids=np.array([1, 2, 3, 4, 5, 1, 2], dtype=np.int64),
        offsets=np.arange(7, dtype=np.int64),
    )
    model = _Recorder()
    result = train_loop(model, data, [data], epochs=1, batch_size=1, lr=0.05, average_every=2, log=False)
    assert len(model.seen) == 7
    expected = (model.seen[4] + model.seen[6]) / 2
    assert torch.allclose(result.model.head.weight, expected, atol=1e-7)
    assert not torch.allclose(model.seen[6], expected)  # not simply the last step's weights
