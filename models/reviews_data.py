"""Real rated review sets: locate, verify by sha256, load as labelled frames, split the trainable one.

The files live outside the repository (never copied in): `../shared/data/reviews/` next to the
checkout, or the folder named by the `SENTIMENT_REVIEWS_DIR` environment variable. Each file is
checked against the sha256 its publisher's README records before it is read.

Frames have the same columns as `models.data` loaders: `text`, `label` ("negative" | "neutral" |
"positive" from stars 1-2 / 3 / 4-5), `weight` (1.0), `domain`, plus `stars`. Empty and repeated
texts are dropped (first occurrence kept) before anything else.

Use (issue 15): Women's Clothing (CC0) may be trained on, through :func:`clothing_splits` (seeded,
stratified 80/10/10); Alexa, Fine Food and COAR (Spanish) are evaluation only: :func:`load_eval_set`
returns them whole and nothing here splits them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from models.data import SPLIT_SEED, sha256_file

REVIEWS_DIR_ENV = "SENTIMENT_REVIEWS_DIR"
DEFAULT_REVIEWS_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "reviews"


@dataclass(frozen=True)
class ReviewSet:
    """One real review file: where it is, its pinned hash, which columns hold text and stars."""

    name: str  # short domain name used in tables: "clothing", "alexa", "finefood", "coar"
    file: str
    sha256: str
    text_column: str
    stars_column: str
    language: str
    trainable: bool  # False: evaluation only (never fit anything on it)
    licence: str
    origin: str


CLOTHING = ReviewSet(
    "clothing",
    "womens_clothing_ecommerce_reviews.csv.gz",
    "1eac5948a4445b8894b933ca9c1d5cc8f19b964b00e0bb14a75aeb7a0519175b",
    "Review Text",
    "Rating",
    "english",
    True,
    "CC0 1.0",
    "Kaggle nicapotato/womens-ecommerce-clothing-reviews",
)
ALEXA = ReviewSet(
    "alexa",
    "amazon_alexa.tsv",
    "28dea46b62b12f3bca611d8a27e04a6c4183e6ebea459537f01b1f302c160ce5",
    "verified_reviews",
    "rating",
    "english",
    False,
    "none stated",
    "Kaggle sid321axn/amazon-alexa-reviews",
)
FINE_FOOD = ReviewSet(
    "finefood",
    "amazon_fine_food_reviews_first1000.csv",
    "c4796d2dd68e75e3e2181556178680a68e887dfedb5d1dfec6aff8f99ebc4f41",
    "Text",
    "Score",
    "english",
    False,
    "CC0 1.0",
    "Stanford SNAP web-FineFoods (McAuley and Leskovec 2013), first 1,000 rows",
)
COAR = ReviewSet(
    "coar",
    "coar_es_restaurant_reviews.csv",
    "a86aad9887894d7859b9b7c80aeeb9d0a32d8ac25298bf72fc1247e4e73347b9",
    "text",
    "rating",
    "spanish",
    False,
    "CC BY-NC-SA 4.0",
    "COAR corpus, SINAI, Universidad de Jaen (Molina-Gonzalez et al. 2014)",
)
REVIEW_SETS = {s.name: s for s in (CLOTHING, ALEXA, FINE_FOOD, COAR)}
EVAL_ONLY = tuple(s.name for s in REVIEW_SETS.values() if not s.trainable)


def reviews_dir() -> Path:
    """The folder holding the review files: `$SENTIMENT_REVIEWS_DIR` or `../shared/data/reviews`."""
    return Path(os.environ.get(REVIEWS_DIR_ENV) or DEFAULT_REVIEWS_DIR)


def verified_path(review_set: ReviewSet) -> Path:
    """The file's path after checking its sha256.

    :raises FileNotFoundError: the file is not in :func:`reviews_dir` (message says where it looked).
    :raises ValueError: the file's sha256 is not the pinned one.
    """
    path = reviews_dir() / review_set.file
    if not path.is_file():
        raise FileNotFoundError(f"{review_set.file} not found in {path.parent} (set ${REVIEWS_DIR_ENV})")
    got = sha256_file(path)
    if got != review_set.sha256:
        raise ValueError(f"{path}: sha256 {got} is not the pinned {review_set.sha256}")
    return path


def stars_to_label(stars: pd.Series) -> pd.Series:
    """1-2 stars negative, 3 neutral (mixed), 4-5 positive."""
    return stars.map(lambda s: "negative" if s <= 2 else "neutral" if s == 3 else "positive")


def load_review_set(name: str) -> pd.DataFrame:
    """One review set as a labelled frame (unique non-empty texts, source order kept)."""
    review_set = REVIEW_SETS[name]
    path = verified_path(review_set)
    if path.suffix == ".tsv":
        raw = pd.read_csv(path, sep="\t", encoding="utf-8-sig", quoting=0)
    else:
        raw = pd.read_csv(path, encoding="utf-8-sig")
    text = raw[review_set.text_column].astype("string").str.strip()
    stars = pd.to_numeric(raw[review_set.stars_column], errors="coerce")
    frame = pd.DataFrame({"text": text, "stars": stars})
    frame = frame[frame["text"].notna() & (frame["text"] != "") & frame["stars"].between(1, 5)]
    frame = frame.drop_duplicates("text", keep="first").reset_index(drop=True)
    frame["text"] = frame["text"].astype(str)
    frame["stars"] = frame["stars"].astype(int)
    frame["label"] = stars_to_label(frame["stars"])
    frame["weight"] = pd.Series(1.0, index=frame.index, dtype="float32")
    frame["domain"] = name
    return frame


def load_eval_set(name: str) -> pd.DataFrame:
    """An evaluation-only set, whole. Never train, tune or choose thresholds on it."""
    if REVIEW_SETS[name].trainable:
        raise ValueError(f"{name} is a training set: use clothing_splits() and its held-out test split")
    return load_review_set(name)


def clothing_splits(seed: int = SPLIT_SEED) -> dict[str, pd.DataFrame]:
    """Women's Clothing, deduplicated, in seeded stratified train/val/test splits (80/10/10)."""
    from models.data import split

    return split(load_review_set("clothing"), seed=seed)


def main() -> int:
    """Print each set's counts per label (files, hashes and parsing agree with the README)."""
    print(f"reading from {reviews_dir()}")
    for name in REVIEW_SETS:
        frame = load_review_set(name)
        counts = frame["label"].value_counts()
        print(
            f"{name}: {len(frame)} rows, neg/neu/pos "
            f"{counts.get('negative', 0)}/{counts.get('neutral', 0)}/{counts.get('positive', 0)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
