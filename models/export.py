"""Export: the one place that writes the shipped TorchScript file (loading: `core.inference.predictor`).

TorchScript is deprecated upstream in favour of `torch.export`; keeping writing here and reading in
`core.inference.predictor.load_scorer` makes that switch a two-function change.
"""

from __future__ import annotations

from pathlib import Path

import torch

from core.nlp.features import FeatureConfig
from models.model import Scorer

MODEL_FILE = "sentiment.pt"
FEATURES_FILE = "features.json"
MAX_MODEL_MB = 25.0  # the repository ships the file; keep it small


def export(scorer: Scorer, features: FeatureConfig, out_dir: Path) -> Path:
    """Write `sentiment.pt` (TorchScript of `scorer`, eval mode) and `features.json` into `out_dir`.

    The scripted module maps `(ids, sent_offsets, doc_offsets)` (:class:`core.nlp.features.Encoded`,
    from :meth:`core.nlp.features.Featurizer.encode`) to calibrated `(doc_probs (B, 3), sent_probs
    (S, 3))`; it loads with `torch.jit.load` alone (:func:`core.inference.predictor.load_scorer`).

    :param scorer: the trained network wrapped with temperature and mixed band.
    :param features: the feature configuration the network was trained with.
    :param out_dir: created if missing; existing files are replaced atomically.
    :returns: the path of the TorchScript file.
    :raises ValueError: if the file would exceed :data:`MAX_MODEL_MB`.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    scorer = scorer.eval()
    scripted = torch.jit.script(scorer)
    tmp_model = out_dir / (MODEL_FILE + ".tmp")
    scripted.save(str(tmp_model))
    size_mb = tmp_model.stat().st_size / 1e6
    if size_mb > MAX_MODEL_MB:
        tmp_model.unlink()
        raise ValueError(f"exported model is {size_mb:.1f} MB, above the {MAX_MODEL_MB} MB limit")
    tmp_features = out_dir / (FEATURES_FILE + ".tmp")
    features.save(tmp_features)
    tmp_model.replace(out_dir / MODEL_FILE)
    tmp_features.replace(out_dir / FEATURES_FILE)
    return out_dir / MODEL_FILE
