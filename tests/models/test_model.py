"""The bag model's prior vector: a plain mean at weight 0, shrinkage of short texts above it (one sentence per
text, so the bag and the sentence-aware model pool the same way)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from core.inference.predictor import load_scorer
from models.adapt.extend import load_base
from models.model import BagConfig, BagModel


def _model(prior_weight: float) -> BagModel:
    torch.manual_seed(0)
    model = BagModel(BagConfig(50, dim=8, prior_weight=prior_weight)).eval()
    torch.nn.init.normal_(model.embedding.weight)
    torch.nn.init.normal_(model.prior)
    return model


def _pooled(model: BagModel, ids: list[list[int]]) -> torch.Tensor:
    """The pooled text vectors, read off the head's input with a forward hook."""
    seen: list[torch.Tensor] = []
    handle = model.head.register_forward_hook(lambda _m, args, _out: seen.append(args[0][:, :8]))
    flat = torch.tensor([i for text in ids for i in text], dtype=torch.long)
    offsets = torch.tensor([0, *torch.tensor([len(t) for t in ids]).cumsum(0)[:-1].tolist()])
    with torch.no_grad():
        model(flat, offsets, torch.arange(len(ids)))  # one sentence per text
    handle.remove()
    return seen[0]


def test_weight_zero_is_the_plain_mean_and_an_empty_text_stays_zero() -> None:
    model = _model(0.0)
    pooled = _pooled(model, [[3, 4, 5], [7], []])
    table = model.embedding.weight.detach()
    assert torch.allclose(pooled[0], table[[3, 4, 5]].mean(0), atol=1e-6)
    assert torch.allclose(pooled[1], table[7], atol=1e-6)
    assert torch.equal(pooled[2], torch.zeros(8))


def test_short_texts_lean_toward_the_prior_and_long_ones_barely_move() -> None:
    k = 8.0
    model = _model(k)
    table, prior = model.embedding.weight.detach(), model.prior.detach()
    one_word, long_text = [7], list(range(1, 49)) * 4  # 1 and 192 features
    pooled = _pooled(model, [one_word, long_text, []])
    assert torch.allclose(pooled[0], (table[7] + k * prior) / (1 + k), atol=1e-6)
    plain_mean = table[long_text].mean(0)
    assert torch.allclose(pooled[1], (table[long_text].sum(0) + k * prior) / (len(long_text) + k), atol=1e-5)
    assert (pooled[1] - plain_mean).norm() < 0.1 * (pooled[0] - table[7]).norm()
    assert torch.allclose(pooled[2], prior, atol=1e-6)  # nothing known: the prior itself


def test_the_shipped_model_carries_its_prior_and_adaptation_rebuilds_it() -> None:
    models_dir = Path(__file__).resolve().parents[2] / "models" / "base"
    state = load_scorer(models_dir / "sentiment.pt").state_dict()
    base = load_base(models_dir)
    assert float(state["model.prior_weight"]) == base.model.config.prior_weight > 0
    assert torch.equal(state["model.prior"], base.model.prior.detach())


def test_expected_calibration_error_of_the_calibration_bench() -> None:
    from bench.calibration import expected_calibration_error

    confidence = np.array([0.9] * 10 + [0.6] * 10)
    calibrated = np.array([1.0] * 9 + [0.0] + [1.0] * 6 + [0.0] * 4)
    assert expected_calibration_error(confidence, calibrated) == pytest.approx(0.0)
    overconfident = np.zeros(20)  # always wrong at 0.9 / 0.6 confidence
    assert expected_calibration_error(confidence, overconfident) == pytest.approx(0.75)
