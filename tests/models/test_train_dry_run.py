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

from core.nlp.features import Encoded
from core.settings import REPO_ROOT
from models.model import BagConfig, BagModel
from models.reviews_data import CLOTHING, reviews_dir
from models.training import TextSet, train_loop


def _one_sentence_each(ids: list[int], offsets: list[int]) -> Encoded:
    """Texts of one sentence each, in :class:`Encoded` form."""
    return Encoded(np.array(ids, dtype=np.int64), np.array(offsets, dtype=np.int64), np.arange(len(offsets)))


@pytest.mark.slow
@pytest.mark.skipif(
    not (reviews_dir() / CLOTHING.file).is_file(),
    reason=f"training needs the Women's Clothing reviews ({CLOTHING.file}) in $SENTIMENT_REVIEWS_DIR or "
    "../shared/data/reviews",
)
def test_dry_run_end_to_end(tmp_path: Path) -> None:
    shipped = (REPO_ROOT / "models" / "base" / "sentiment.pt").stat().st_mtime
    cmd = [sys.executable, "-m", "models.train", "--dry-run", "--skip-compare", "--out", str(tmp_path)]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name in ("sentiment.pt", "features.json", "model_card.json", "MODEL_CARD.md"):
        assert (tmp_path / name).is_file()
    card = json.loads((tmp_path / "model_card.json").read_text())
    assert card["dry_run"] is True
    assert {"tweets/test", "imdb/test", "clothing/test"} <= set(card["metrics"]["in_domain"])
    assert {d["licence"] for d in card["training_data"]} >= {"MIT", "CC0 1.0"}
    assert (REPO_ROOT / "models" / "base" / "sentiment.pt").stat().st_mtime == shipped


class _Recorder(BagModel):
    """A bag model that remembers the head weights each training step starts from."""

    def __init__(self) -> None:
        super().__init__(BagConfig(n_features=6, dim=4, dropout=0.0))
        self.seen: list[torch.Tensor] = []

    def forward(
        self, ids: torch.Tensor, sent_offsets: torch.Tensor, doc_offsets: torch.Tensor
    ) -> torch.Tensor:
        if self.training:
            self.seen.append(self.head.weight.detach().clone())
        return super().forward(ids, sent_offsets, doc_offsets)


def test_weight_averaging_keeps_the_mean_of_the_snapshots() -> None:
    # 7 one-word texts, one per step: snapshots every 2 steps from step 3 (half an epoch) are taken
    # after steps 4 and 6, i.e. the weights steps 5 and 7 start from
    labels = np.array([0, 2, 1, 0, 2, 1, 2], dtype=np.int64)
    data = TextSet(
        labels=labels,
        weights=np.ones(7, dtype=np.float32),
        polar=np.zeros(7, dtype=bool),
        encoded=_one_sentence_each([1, 2, 3, 4, 5, 1, 2], list(range(7))),
    )
    model = _Recorder()
    result = train_loop(model, data, [data], epochs=1, batch_size=1, lr=0.05, average_every=2, log=False)
    assert len(model.seen) == 7
    expected = (model.seen[4] + model.seen[6]) / 2
    assert torch.allclose(result.model.head.weight, expected, atol=1e-7)
    assert not torch.allclose(model.seen[6], expected)  # not simply the last step's weights


def test_the_embedding_penalty_shrinks_only_the_rows_a_batch_uses() -> None:
    # features 1-4 are used; 5 never is. With the penalty the used rows end up smaller, the unused
    # row is untouched (sparse: a step moves only the rows in its batch).
    data = TextSet(
        labels=np.array([0, 2, 0, 2], dtype=np.int64),
        weights=np.ones(4, dtype=np.float32),
        polar=np.zeros(4, dtype=bool),
        encoded=_one_sentence_each([1, 2, 3, 4, 1, 3, 2, 4], [0, 2, 4, 6]),
    )
    norms = {}
    for l2 in (0.0, 1.0):
        torch.manual_seed(0)
        model = BagModel(BagConfig(n_features=6, dim=4, dropout=0.0))
        start = model.embedding.weight.detach().clone()
        train_loop(
            model, data, [data], epochs=3, batch_size=2, lr=0.05, patience=3, embedding_l2=l2, log=False
        )
        weight = model.embedding.weight.detach()
        assert torch.equal(weight[5], start[5])
        norms[l2] = weight[1:5].norm(dim=1)
    assert bool((norms[1.0] < norms[0.0]).all())
