"""Calibration of the shipped model by text length: is a 90 % confidence right 90 % of the time?

    python -m bench.calibration                      # models/base/ (the base model)
    python -m bench.calibration DIR [DIR ...]        # any model directories, e.g. an older export

Prints, per held-out test split and length bucket (tokens the model sees), accuracy, mean confidence
and the expected calibration error (ECE, 10 equal-width confidence bins). On IMDB, which has no
neutral class, confidence and correctness are those of the positive-vs-negative decision.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

BUCKETS = ((0, 6), (6, 12), (12, 25), (25, 10**9))
REPO = Path(__file__).resolve().parents[1]


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Sum over equal-width confidence bins of (share of rows) x |mean confidence - accuracy|."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        rows = which == b
        if rows.any():
            error += rows.mean() * abs(confidence[rows].mean() - correct[rows].mean())
    return float(error)


def rows_for(model_dir: Path) -> list[dict[str, object]]:
    """One row per split and length bucket for the model in `model_dir`."""
    from core.inference.predictor import Predictor
    from models import data
    from models.training import LABEL_ID

    predictor = Predictor.load(model_dir)
    splits = data.load_splits()
    out = []
    for domain in ("tweets", "imdb"):
        frame = splits[domain]["test"]
        texts = frame["text"].tolist()
        truth = frame["label"].map(LABEL_ID).to_numpy()
        probs = predictor.predict_proba(texts)
        _, sentence_lengths, sentences = predictor.featurizer.word_ids(texts)
        text_of = np.repeat(np.arange(len(texts)), sentences)
        lengths = np.bincount(text_of, weights=sentence_lengths, minlength=len(texts))
        if domain == "imdb":  # polarity only: renormalise the (negative, positive) pair
            pair = probs[:, [0, 2]] / probs[:, [0, 2]].sum(axis=1, keepdims=True)
            confidence, correct = pair.max(axis=1), np.where(pair.argmax(axis=1) == 1, 2, 0) == truth
        else:
            confidence, correct = probs.max(axis=1), probs.argmax(axis=1) == truth
        for low, high in BUCKETS:
            rows = (lengths >= low) & (lengths < high)
            if rows.sum() < 50:  # too few to say anything
                continue
            out.append(
                {
                    "model": predictor.version,
                    "split": f"{domain}/test",
                    "tokens": f"{low}–{high - 1}" if high < 10**9 else f"{low}+",
                    "n": int(rows.sum()),
                    "accuracy": round(float(correct[rows].mean()), 3),
                    "confidence": round(float(confidence[rows].mean()), 3),
                    "ece": round(expected_calibration_error(confidence[rows], correct[rows] * 1.0), 3),
                }
            )
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the calibration table for each model directory given (default: models/base/)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model_dirs", nargs="*", type=Path, default=[REPO / "models" / "base"])
    args = parser.parse_args(argv)
    print("| model | split | tokens | n | accuracy | mean confidence | ECE |\n|---|---|---|---|---|---|---|")
    for model_dir in args.model_dirs:
        for r in rows_for(model_dir):
            print(
                f"| {r['model']} | {r['split']} | {r['tokens']} | {r['n']} | {r['accuracy']} | "
                f"{r['confidence']} | {r['ece']} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
