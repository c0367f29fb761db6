"""Export round trip: the TorchScript file gives the eager model's document and sentence probabilities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from core.inference.predictor import load_scorer
from core.nlp.features import Featurizer, build_config
from core.nlp.text import stopword_set, tokenize
from models.export import export
from models.model import BagConfig, BagModel, HierConfig, HierModel, Scorer
from models.training import lexicon, valence_table

TEXTS = [
    "not good at all",
    "great phone, love it. The case is awful! Would buy again",
    "the screen is fine but the battery is awful",
    "ok",
    "...",
]


@pytest.mark.parametrize("arch", ["mil", "mil-doc-bag", "mil-context", "bag"])
def test_torchscript_matches_eager(tmp_path: Path, arch: str) -> None:
    stop = stopword_set("english")
    features = build_config(
        [tokenize(t, stop) for t in TEXTS * 3],
        sorted(stop),
        min_count=1,
        min_bigram_count=1,
        extra_words=["awful", "love"],
    )
    torch.manual_seed(0)
    valence = valence_table(features, lexicon())
    if arch == "bag":
        model: torch.nn.Module = BagModel(BagConfig(features.n_features, dim=8), valence)
    else:
        config = HierConfig(
            features.n_features, dim=8, doc_bag=arch == "mil-doc-bag", context_attention=arch == "mil-context"
        )
        model = HierModel(config, valence)
    torch.nn.init.normal_(model.embedding.weight)  # non-trivial weights
    scorer = Scorer(model, temperature=1.3, band=0.2).eval()
    path = export(scorer, features, tmp_path)
    assert path.name == "sentiment.pt" and (tmp_path / "features.json").is_file()
    encoded = Featurizer(features).encode(TEXTS)
    assert encoded.doc_offsets.tolist() == [0, 1, 4, 5, 6]  # sentences per text: 1, 3, 1, 1, 1
    args = tuple(torch.from_numpy(a) for a in encoded)
    with torch.no_grad():
        eager = [t.numpy() for t in scorer(*args)]
    reloaded = load_scorer(path)
    scripted = [t.detach().numpy() for t in reloaded(*args)]
    for mine, theirs in zip(eager, scripted, strict=True):
        assert np.allclose(mine, theirs, atol=1e-6)
    doc_probs, sent_probs = scripted
    assert doc_probs.shape == (len(TEXTS), 3) and sent_probs.shape == (len(encoded.sent_offsets), 3)
    assert np.allclose(doc_probs.sum(axis=1), 1.0, atol=1e-5)
    assert np.allclose(sent_probs.sum(axis=1), 1.0, atol=1e-5)
