"""Export round trip: the TorchScript file gives the eager model's probabilities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from core.inference.predictor import load_scorer
from core.nlp.features import Featurizer, build_config
from core.nlp.text import stopword_set, tokenize
from models.export import export
from models.model import BagConfig, BagModel, Scorer
from models.training import lexicon, valence_table

TEXTS = ["not good at all", "great phone, love it", "the screen is fine but the battery is awful", "ok"]


def test_torchscript_matches_eager(tmp_path: Path) -> None:
    stop = stopword_set("english")
    features = build_config(
        [tokenize(t, stop) for t in TEXTS * 3],
        sorted(stop),
        min_count=1,
        min_bigram_count=1,
        extra_words=["awful", "love"],
    )
    torch.manual_seed(0)
    model = BagModel(BagConfig(features.n_features, dim=8), valence_table(features, lexicon()))
    torch.nn.init.normal_(model.embedding.weight)  # non-trivial weights
    scorer = Scorer(model, temperature=1.3, band=0.2).eval()
    path = export(scorer, features, tmp_path)
    assert path.name == "sentiment.pt" and (tmp_path / "features.json").is_file()
    ids, offsets = Featurizer(features).encode(TEXTS)
    args = (torch.from_numpy(ids), torch.from_numpy(offsets))
    with torch.no_grad():
        eager = scorer(*args).numpy()
    reloaded = load_scorer(path)
    scripted = reloaded(*args).detach().numpy()
    assert np.allclose(eager, scripted, atol=1e-6)
    assert np.allclose(scripted.sum(axis=1), 1.0, atol=1e-5)
