"""Build the 100k-review benchmark CSVs honestly from the two corpora (written under `bench/out/`).

* `short.csv`: 100,000 tweets drawn with replacement (median ~16 words): the worst case for us,
  because fixed costs (interpreter, `import torch`, model load) weigh most against tiny texts.
* `mixed.csv`: a product-review-like length mix. Each row is, with probability 0.3, a tweet, otherwise
  an IMDB review cut at a sentence end near a target length drawn from a log-normal distribution
  (median 45 words, sigma 0.9, clipped to 5..1,000 words). Product reviews are mostly short with a
  long tail; this gives roughly median 30 / mean 60 / p95 200 words (printed when built).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

OUT_DIR = Path(__file__).resolve().parent / "out"
N_ROWS = 100_000
SEED = 7
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _cut(text: str, words: int) -> str:
    """The shortest prefix of whole sentences holding at least `words` words (the whole text if shorter)."""
    out, count = [], 0
    for sentence in _SENTENCE_END.split(text):
        out.append(sentence)
        count += len(sentence.split())
        if count >= words:
            break
    return " ".join(out)


def build(kind: str, n: int = N_ROWS, out_dir: Path = OUT_DIR) -> tuple[Path, dict[str, float]]:
    """Write `<kind>.csv` (columns id, review) unless present; return its path and length statistics."""
    from models import data

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{kind}.csv"
    rng = np.random.default_rng(SEED)
    tweets = data.load_tweets()["text"].tolist()
    if kind == "short":
        texts = [tweets[i] for i in rng.integers(0, len(tweets), n)]
    elif kind == "mixed":
        imdb = data.load_imdb()["text"].tolist()
        targets = np.clip(rng.lognormal(np.log(45), 0.9, n), 5, 1000).astype(int)
        use_tweet = rng.random(n) < 0.3
        picks = rng.integers(0, len(imdb), n)
        tpicks = rng.integers(0, len(tweets), n)
        texts = [tweets[tpicks[i]] if use_tweet[i] else _cut(imdb[picks[i]], int(targets[i])) for i in range(n)]
    else:
        raise ValueError(f"unknown benchmark input {kind!r}")
    if not path.is_file():
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "review"])
            writer.writerows((i, t) for i, t in enumerate(texts))
    words = np.array([len(t.split()) for t in texts])
    stats = {
        "rows": n,
        "median_words": float(np.median(words)),
        "mean_words": round(float(words.mean()), 1),
        "p95_words": float(np.percentile(words, 95)),
        "max_words": int(words.max()),
        "mb": round(path.stat().st_size / 1e6, 1),
    }
    return path, stats
