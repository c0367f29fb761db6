"""Train the sentiment model: data -> model -> loop -> evaluate -> export -> card.

`python -m models.train` (= `make train`) reproduces the shipped artifacts in `models/base/`:

1. **Data**: both corpora, seeded 80/10/10 splits per domain (`models.data`), tokenised once.
2. **Compare architectures** on a subsample: the fastText-style bag model vs a small CNN.
3. **Final model** on both domains (features from the training split plus the VADER lexicon, the
   training loop, temperature fitted on validation), then the mixed band chosen on validation.
4. **Leave one domain out**: train without IMDB and test on IMDB; train without tweets, test on tweets.
5. **Export** (TorchScript + features.json), then evaluate what ships on the held-out test splits.
6. **Card**: model_card.json + MODEL_CARD.md (`models.card`).

`--dry-run` runs one tiny batch through every step and writes into a temporary directory.
The pieces live in `models.training`; this script only tells the story.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from core.settings import MODELS_DIR
from models.card import add_comparison, build_card, write_card
from models.training import (
    POLARITY_ONLY_BAND,
    TrainConfig,
    choose_band,
    compare_architectures,
    evaluate_shipped,
    export_base,
    leave_one_domain_out,
    load_corpus,
    split_sizes,
    summary,
    train_run,
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line of `make train`."""
    parser = argparse.ArgumentParser(description="Train and export the sentiment model.")
    parser.add_argument("--dry-run", action="store_true", help="one tiny batch end to end, into a temp dir")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: models/base/)")
    parser.add_argument("--skip-compare", action="store_true", help="skip the architecture comparison")
    parser.add_argument(
        "--compare-only",
        action="store_true",
        help="only run the architecture comparison and add it to the existing model card in --out",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """`make train`: data -> compare -> final model -> leave-one-domain-out -> export -> card."""
    args = parse_args(argv)
    dry = args.dry_run
    out_dir = args.out or (Path(tempfile.mkdtemp(prefix="sentiment-dry-")) if dry else MODELS_DIR)
    started = time.perf_counter()
    config = TrainConfig(epochs=1) if dry else TrainConfig()
    torch.set_num_threads(config.threads)
    max_batches = 1 if dry else None

    print("1. data: downloading/verifying corpora, splitting, tokenising", flush=True)
    corpus = load_corpus(limit=64 if dry else None, seed=config.seed)
    sizes = split_sizes(corpus)

    comparison: dict[str, dict] = {}
    if not args.skip_compare:
        print("2. architectures: bag vs CNN on a subsample", flush=True)
        comparison = compare_architectures(
            corpus, config, per_domain=64 if dry else 5000, epochs=1 if dry else 3, max_batches=max_batches
        )
        if args.compare_only:
            add_comparison(out_dir, comparison)
            print(f"comparison added to {out_dir / 'model_card.json'}")
            return 0

    print("3. final model on both domains", flush=True)
    final = train_run(corpus, config, max_batches=max_batches)
    band = choose_band(final, corpus)
    final.shipped.band = band["chosen"]

    print(f"4. leave one domain out (band {band['chosen']}; {POLARITY_ONLY_BAND} without tweets)", flush=True)
    lodo = leave_one_domain_out(corpus, config, band["chosen"], max_batches)

    print(f"5. export to {out_dir}", flush=True)
    version = export_base(final, out_dir)
    in_domain, speed = evaluate_shipped(out_dir, corpus)

    card = build_card(version, config, final, band, in_domain, lodo, comparison, sizes, speed, dry)
    write_card(card, out_dir)
    for key, m in {**in_domain, **lodo}.items():
        print(f"   {key}: " + ", ".join(f"{k} {v}" for k, v in summary(m).items()))
    model_path = out_dir / "sentiment.pt"
    print(
        f"done in {time.perf_counter() - started:.0f}s: {model_path} "
        f"({model_path.stat().st_size / 1e6:.1f} MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
