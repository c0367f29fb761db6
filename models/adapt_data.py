"""Rated reviews for adaptation: read them (file or store), label them from ratings, check there are
enough, split them, and (for the gate's sanity checks) corrupt their labels on purpose."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.ingestion.rating_labels import DataRequirements, RatingCutoffs, insufficiency, label_counts


class AdaptError(Exception):
    """The data or arguments cannot produce an adapted model; the message says why, in one sentence."""


class InsufficientData(AdaptError):
    """Too few rated reviews, or too few in a class.

    The message is `core.ingestion.rating_labels.insufficiency`.
    """


@dataclass
class RatedReviews:
    """Texts with normalised ratings (0–1, None = unrated) and where they came from."""

    texts: list[str]
    ratings: list[float | None]
    products: list[str]
    source: dict[str, Any]  # {"kind": "csv"|"store", ...} for the model card


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


def read_rated_csv(
    path: Path, text_column: str, rating_column: str, product_column: str | None = None
) -> RatedReviews:
    """Rated reviews from a CSV/XLSX file, read and cleaned by the ingestion layer (same as uploads).

    :raises core.ingestion.tables.IngestError: unreadable file or a named column missing.
    """
    from core.ingestion.mapping import ColumnMapping, resolve_column
    from core.ingestion.rows import prepare_rows
    from core.ingestion.tables import read_table

    table = read_table(Path(path), Path(path).name)
    mapping = ColumnMapping(
        text=resolve_column(table, text_column),
        rating=resolve_column(table, rating_column),
        product=resolve_column(table, product_column) if product_column else None,
    )
    prepared = prepare_rows(table, mapping, default_product=Path(path).stem)
    return RatedReviews(
        texts=[row.text for row in prepared.rows],
        ratings=[row.rating for row in prepared.rows],
        products=[row.product for row in prepared.rows],
        source={"kind": "csv", "file": Path(path).name, "rows_read": prepared.rows_read,
                "rejected": prepared.reject_counts()},
    )  # fmt: skip


def read_rated_store(engine: Any, products: Sequence[str] | None) -> RatedReviews:
    """Rated reviews of `products` (all products when empty) already in the store."""
    from core.storage.queries import reviews_frame

    frame = reviews_frame(engine, products=list(products) if products else None)
    ratings = [None if pd.isna(r) else float(r) for r in frame["rating"]] if len(frame) else []
    return RatedReviews(
        texts=frame["text"].astype(str).tolist() if len(frame) else [],
        ratings=ratings,
        products=frame["product"].astype(str).tolist() if len(frame) else [],
        source={"kind": "store", "products": sorted(set(products or [])) or "all", "rows_read": len(frame)},
    )


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


def check_sufficient(reviews: LabelledReviews, requirements: DataRequirements) -> None:
    """Raise :class:`InsufficientData` with the readable reason when the counts cannot support adaptation."""
    problem = insufficiency(reviews.counts, requirements)
    if problem is not None:
        raise InsufficientData(problem)


def split_indices(labels: Sequence[str], seed: int, heldout: float, val: float) -> dict[str, np.ndarray]:
    """Stratified, seeded train / val / held-out indices (val is carved out of the train part)."""
    y = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, test = _stratified_split(np.arange(len(y)), y, heldout, rng)
    fit, valid = _stratified_split(train, y[train], val, rng)
    return {"train": np.sort(fit), "val": np.sort(valid), "heldout": np.sort(test)}


def _stratified_split(
    idx: np.ndarray, y: np.ndarray, share: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Split `idx` into (rest, part) with `share` of every class (at least one) in `part`.

    Plain NumPy rather than scikit-learn, so the app image needs no scikit-learn or SciPy.
    """
    rest, part = [], []
    for label in np.unique(y):
        members = rng.permutation(idx[y == label])
        k = min(max(1, round(share * len(members))), len(members) - 1)
        part.append(members[:k])
        rest.append(members[k:])
    return np.concatenate(rest), np.concatenate(part)
