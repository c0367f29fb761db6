"""Build the 100k-review benchmark CSVs honestly from the two corpora (written under `bench/out/`).

* `short.csv`: tweet-length texts, all distinct: every tweet once (~37k) plus opening or closing
  sentences of IMDB reviews (cut at a sentence end near a log-normal target, median 12 words).
  The worst case for us: fixed costs (interpreter, `import torch`, model load) weigh most on tiny texts.
* `mixed.csv`: a product-review-like length mix. Each row is, with probability 0.3, a tweet, otherwise
  an IMDB review cut at a sentence end near a target length drawn from a log-normal distribution
  (median 45 words, sigma 0.9, clipped to 5..1,000 words). Product reviews are mostly short with a
  long tail. The measured length statistics are printed with the results.
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


def _cut_tail(text: str, words: int) -> str:
    """The shortest suffix of whole sentences holding at least `words` words."""
    out: list[str] = []
    count = 0
    for sentence in reversed(_SENTENCE_END.split(text)):
        out.insert(0, sentence)
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
        imdb = data.load_imdb()["text"].tolist()
        targets = np.clip(rng.lognormal(np.log(12), 0.5, len(imdb)), 3, 60).astype(int)
        snippets = [_cut(t, int(k)) for t, k in zip(imdb, targets, strict=True)]
        snippets += [
            _cut(" ".join(reversed(_SENTENCE_END.split(t))), int(k))
            for t, k in zip(imdb, targets, strict=True)
        ]
        picks = rng.choice(len(snippets), n - len(tweets), replace=False)
        texts = tweets + [snippets[i] for i in picks]
        rng.shuffle(texts)
    elif kind == "mixed":
        imdb = data.load_imdb()["text"].tolist()
        targets = np.clip(rng.lognormal(np.log(45), 0.9, n), 5, 1000).astype(int)
        use_tweet = rng.random(n) < 0.3
        picks = rng.integers(0, len(imdb), n)
        tpicks = rng.integers(0, len(tweets), n)
        texts = [
            tweets[tpicks[i]] if use_tweet[i] else _cut(imdb[picks[i]], int(targets[i])) for i in range(n)
        ]
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
