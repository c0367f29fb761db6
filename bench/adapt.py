"""Adaptation benchmark: time for 1k and 5k rated reviews, and base vs adapted vs VADER on held-out reviews.

    python -m bench.adapt                 # 1k and 5k "software" reviews + the medication fixture
    python -m bench.adapt --sizes 1000    # quicker

Honest scope: we may not use any labelled sentiment dataset beyond our two training corpora, so the
"domain we never trained on" is our own generated one (`tests/models/adapt/fixtures/make_fixtures.py`: app
and software reviews, and medication reviews; seeded templates with domain vocabulary, mixed
three-star reviews and 8% one-star label noise). Templates repeat phrases, so held-out scores are
higher than real reviews would give; the comparison between models on the same held-out reviews is
the point. A TF-IDF + logistic-regression model trained on the same train part is printed as the
reference the issue names.

Adaptation runs as the CLI runs it (`models.adapt.pipeline.run`: read the file through ingestion, label,
split, extend, fine-tune, evaluate both models, write a version), in this process after imports;
the CLI's wall time, including Python and torch start-up, is measured once for the largest size.
Files go under ``bench/out/`` (git-ignored); versions into a temporary registry.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

OUT_DIR = Path(__file__).resolve().parent / "out"
SEED = 13


def vader_probs(texts: list[str]) -> np.ndarray:
    """VADER as a 3-class model: compound >= 0.05 positive, <= -0.05 negative, else neutral (its
    authors' thresholds), one-hot."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    out = np.zeros((len(texts), 3))
    for i, text in enumerate(texts):
        c = analyzer.polarity_scores(text)["compound"]
        out[i, 2 if c >= 0.05 else 0 if c <= -0.05 else 1] = 1.0
    return out


def tfidf_reference(train_texts: list[str], train_labels: list[str], test_texts: list[str]) -> np.ndarray:
    """TF-IDF (words and bigrams) + balanced logistic regression trained on the same train part."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    classifier = LogisticRegression(max_iter=2000, class_weight="balanced")
    classifier.fit(vectorizer.fit_transform(train_texts), train_labels)
    probs = classifier.predict_proba(vectorizer.transform(test_texts))
    order = [list(classifier.classes_).index(label) for label in ("negative", "neutral", "positive")]
    return probs[:, order]


def bench_one(csv_path: Path, base: Any, registry_dir: Path, mix: bool | None) -> dict[str, Any]:
    """Adapt on one rated file; time it; score VADER and the TF-IDF reference on the same held-out part."""
    from core.ingestion.rating_labels import RatingCutoffs
    from models.adapt import pipeline
    from models.adapt.data import read_rated_csv, split_indices
    from models.adapt.labels import label_reviews
    from models.adapt.options import AdaptOptions
    from models.training import LABEL_ID, metrics

    started = time.perf_counter()
    data = read_rated_csv(csv_path, "review", "stars", "product")
    reviews = label_reviews(data, RatingCutoffs())
    options = AdaptOptions(seed=SEED, mix=mix)
    result = pipeline.run(reviews, base, options, out_dir=registry_dir / csv_path.stem, source=data.source)
    seconds = time.perf_counter() - started
    card = result.card
    parts = split_indices(reviews.labels, options.seed, options.heldout, options.val)
    held = parts["heldout"]
    truth = np.array([LABEL_ID[reviews.labels[i]] for i in held])
    texts = [reviews.texts[i] for i in held]
    train = np.concatenate([parts["train"], parts["val"]])
    tfidf = tfidf_reference([reviews.texts[i] for i in train], [reviews.labels[i] for i in train], texts)
    return {
        "file": csv_path.name,
        "rated": len(reviews.texts),
        "heldout": len(held),
        "seconds": round(seconds, 1),
        "language": card["language"],
        "mixed_general": card["training"]["mixed_general_examples"],
        "epochs": card["training"]["epochs_run"],
        "base": card["heldout"]["base"]["macro_f1"],
        "adapted": card["heldout"]["adapted"]["macro_f1"],
        "vader": metrics(truth, vader_probs(texts))["macro_f1"],
        "tfidf_lr": metrics(truth, tfidf)["macro_f1"],
        "general_check": card.get("general_check", {}),
        "verdict": card["gate"]["verdict"],
    }


def cli_wall_time(csv_path: Path, out: Path, mix: bool | None) -> float:
    """Wall time of `python -m models.adapt` on a file, start-up included."""
    cmd = [
        sys.executable,
        "-m",
        "models.adapt",
        "--csv",
        str(csv_path),
        "--text-column",
        "review",
        "--rating-column",
        "stars",
        "--out",
        str(out),
    ]
    if mix is False:
        cmd.append("--no-mix")
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=Path(__file__).resolve().parent.parent)
    return round(time.perf_counter() - started, 1)


def run(sizes: tuple[int, ...] = (1000, 5000), mix: bool | None = None, cli: bool = True) -> dict[str, Any]:
    """Run the benchmark and print a table; returns the figures."""
    from core.settings import get_settings
    from models.adapt.data import corpora_available
    from models.adapt.extend import load_base
    from tests.models.adapt.fixtures.make_fixtures import HERE, generate, write_csv

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    files = [write_csv(generate("software", n, seed=SEED), OUT_DIR / f"software_{n}.csv") for n in sizes]
    files.append(HERE / "medications_en.csv")
    base = load_base(get_settings().model_dir)
    print(f"base model: {base.version}; corpora on disk: {corpora_available()}; mix: {mix}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            row = bench_one(path, base, Path(tmp), mix)
            results.append(row)
            print(
                f"{row['file']:<22} rated {row['rated']:>5}  held-out {row['heldout']:>4}  "
                f"adapt {row['seconds']:>5.1f}s ({row['epochs']} epochs, {row['mixed_general']} general)  "
                f"macro-F1 base {row['base']:.3f}  VADER {row['vader']:.3f}  "
                f"TF-IDF+LR {row['tfidf_lr']:.3f}  adapted {row['adapted']:.3f}",
                flush=True,
            )
            for key, check in row["general_check"].items():
                print(
                    f"    general {key}: macro-F1 base {check['base_macro_f1']:.3f}, "
                    f"adapted {check['adapted_macro_f1']:.3f}"
                )
        wall = cli_wall_time(files[len(sizes) - 1], Path(tmp) / "cli", mix) if cli and sizes else None
    if wall is not None:
        print(f"CLI wall time for {sizes[-1]} reviews (start-up included): {wall:.1f}s")
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    return {"results": results, "cli_seconds": wall}


def main(argv: list[str] | None = None) -> int:
    """CLI: `python -m bench.adapt [--sizes N ...] [--no-mix] [--no-cli]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--no-mix", action="store_true", help="do not mix in the original corpora")
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI wall-time run")
    args = parser.parse_args(argv)
    run(tuple(args.sizes), mix=False if args.no_mix else None, cli=not args.no_cli)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
