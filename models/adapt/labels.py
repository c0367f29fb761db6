"""Labels for adaptation from star ratings: unrated and repeated reviews left out, enough reviews per
class checked, the label mapping of common rating scales recorded, and (for the gate's sanity checks)
training labels corrupted on purpose."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.ingestion.rating_labels import LABELS, DataRequirements, RatingCutoffs, insufficiency, label_counts
from models.adapt.data import AdaptError, RatedReviews


class InsufficientData(AdaptError):
    """Too few rated reviews, or too few in a class.

    The message is `core.ingestion.rating_labels.insufficiency`.
    """


@dataclass
class LabelledReviews:
    """The rated, deduplicated reviews with their labels, and counts of what was left out."""

    texts: list[str]
    labels: list[str]
    products: list[str]
    unrated: int
    duplicates: int

    @property
    def counts(self) -> dict[str, int]:
        """Reviews per class."""
        return label_counts(self.labels)


def label_reviews(data: RatedReviews, cutoffs: RatingCutoffs) -> LabelledReviews:
    """Labels from ratings; unrated reviews dropped, repeated texts kept once (a review in both the
    train and the held-out part would flatter the proof)."""
    texts, labels, products, seen = [], [], [], set()
    unrated = duplicates = 0
    for text, rating, product in zip(data.texts, data.ratings, data.products, strict=True):
        label = cutoffs.label(rating)
        if label is None:
            unrated += 1
            continue
        key = " ".join(text.lower().split())
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        texts.append(text)
        labels.append(label)
        products.append(product)
    return LabelledReviews(texts, labels, products, unrated, duplicates)


def check_sufficient(reviews: LabelledReviews, requirements: DataRequirements) -> None:
    """Raise :class:`InsufficientData` with the readable reason when the counts cannot support adaptation."""
    problem = insufficiency(reviews.counts, requirements)
    if problem is not None:
        raise InsufficientData(problem)


def scale_mapping(points: int, cutoffs: RatingCutoffs) -> dict[str, list[int]]:
    """Which stars of a `points`-point scale (1..points) land in each class."""
    out: dict[str, list[int]] = {label: [] for label in LABELS}
    for star in range(1, points + 1):
        out[str(cutoffs.label((star - 1) / (points - 1)))].append(star)
    return out


def corrupt(labels: np.ndarray, parts: dict[str, np.ndarray], how: str, seed: int) -> np.ndarray:
    """Deliberately wrong training labels, to check that the gate refuses what they produce.

    "shuffle" permutes the train and validation labels (no text-label link left); "invert" swaps
    negative and positive (a model that learns the opposite). Shuffled labels keep the class balance,
    and re-balancing alone can lift a base model that is poor on a domain, so "invert" is the check
    that must always be refused.
    """
    out = labels.copy()
    rng = np.random.default_rng(seed)
    for name in ("train", "val"):
        idx = parts[name]
        if how == "shuffle":
            out[idx] = rng.permutation(out[idx])
        elif how == "invert":
            swap = {"negative": "positive", "positive": "negative", "neutral": "neutral"}
            out[idx] = [swap[str(v)] for v in out[idx]]
        else:
            raise ValueError(f"corrupt_labels must be 'shuffle' or 'invert', not {how!r}")
    return out
