"""Train the sentiment model: data -> model -> loop -> evaluate -> export -> card.

`python -m models.train` (= `make train`) reproduces the shipped artifacts in `models/base/`:

1. **Data**: tweets, IMDB (a seeded 20k-row sample of its training split) and Women's Clothing reviews,
   seeded 80/10/10 splits per corpus (`models.data`, `models.reviews_data`), tokenised once per sentence.
2. **Final model**: the sentence-aware network (`models.model.HierModel`) on all three corpora
   (features from the training split plus the VADER lexicon, the training loop, temperature and
   mixed band chosen on validation).
3. **Candidates**: the bag model retrained on the same recipe, both scored on the benchmark sets.
4. **Leave one corpus out**: train without tweets / IMDB / clothing, test on the one left out.
5. **Export** (TorchScript + features.json), then evaluate what ships: the training corpora's test
   splits and the real review sets (Alexa, Fine Food, COAR: evaluation only, scored after every choice).
6. **Card**: model_card.json + MODEL_CARD.md (`models.card`).

The recipe is one `models.training.TrainConfig`; `--dry-run` runs one tiny batch through every step
and writes into a temporary directory. The pieces live in `models.training`; this script tells the story.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import torch

from core.settings import MODELS_DIR
from models.card import build_card, write_card
from models.training import (
    TrainConfig,
    compare_candidates,
    evaluate_shipped,
    evaluation_sets,
    export_base,
    leave_one_corpus_out,
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
    parser.add_argument("--skip-compare", action="store_true", help="skip the candidate comparison and LOCO")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, config: TrainConfig | None = None) -> int:
    """`make train`: data -> final model -> candidates -> leave-one-corpus-out -> export -> card."""
    args = parse_args(argv)
    dry = args.dry_run
    out_dir = args.out or (Path(tempfile.mkdtemp(prefix="sentiment-dry-")) if dry else MODELS_DIR)
    started = time.perf_counter()
    config = config or TrainConfig()
    if dry:
        config = replace(config, epochs=1, average_every=None)
    torch.set_num_threads(config.threads)
    max_batches = 1 if dry else None

    print("1. data: verifying corpora and review files, splitting, tokenising", flush=True)
    corpus = load_corpus(config, limit=64 if dry else None)
    sizes = split_sizes(corpus)
    sets = evaluation_sets(corpus)
    if dry:
        sets = {name: frame.head(64) for name, frame in sets.items()}

    print(f"2. final model ({config.arch}) on {' + '.join(config.domains)}", flush=True)
    final = train_run(corpus, config, max_batches=max_batches)

    comparison: dict[str, dict] = {}
    loco: dict[str, dict] = {}
    if not args.skip_compare:
        print("3. candidates: bag vs sentence-aware on the same recipe", flush=True)
        comparison = compare_candidates(corpus, config, final, sets, max_batches)
        print("4. leave one corpus out", flush=True)
        loco = leave_one_corpus_out(corpus, config, max_batches)

    print(f"5. export to {out_dir}", flush=True)
    version = export_base(final, out_dir)
    in_domain, real, speed = evaluate_shipped(out_dir, corpus, sets)

    card = build_card(version, config, final, in_domain, real, loco, comparison, sizes, speed, dry)
    write_card(card, out_dir)
    for key, m in {**real, **loco}.items():
        print(f"   {key}: " + ", ".join(f"{k} {v}" for k, v in summary(m).items()))
    model_path = out_dir / "sentiment.pt"
    print(
        f"done in {time.perf_counter() - started:.0f}s: {model_path} "
        f"({model_path.stat().st_size / 1e6:.1f} MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
