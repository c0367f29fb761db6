"""The data of an adaptation: the analyst's rated reviews (from a file or the store), a sample of the
base model's own training corpora to mix in against forgetting, and the stratified train / validation /
held-out split. Labelling the ratings is `models.adapt.labels`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models import data as corpora


class AdaptError(Exception):
    """The data or arguments cannot produce an adapted model; the message says why, in one sentence."""


@dataclass
class RatedReviews:
    """Texts with normalised ratings (0–1, None = unrated) and where they came from."""

    texts: list[str]
    ratings: list[float | None]
    products: list[str]
    source: dict[str, Any]  # {"kind": "csv"|"store", ...} for the model card


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


def corpora_available() -> bool:
    """True when both training corpora are on disk (extracted and stamped by `python -m models.data`)."""
    return all(
        c.csv_path.is_file() and (corpora.CORPORA_DIR / f"{c.csv_name}.json").is_file()
        for c in corpora.CORPORA
    )


def general_sample(n: int, seed: int) -> dict[str, pd.DataFrame]:
    """`n` examples from the base model's own training splits (half tweets, half IMDB) and a small
    sample of their test splits for the forgetting check. Reads local files only."""
    frames = corpora.load_splits()
    rng = np.random.default_rng(seed)
    out: dict[str, pd.DataFrame] = {}
    for domain, splits in frames.items():
        for split, size in (("train", n // 2), ("test", 300)):
            frame = splits[split]
            pick = rng.permutation(len(frame))[: min(size, len(frame))]
            out[f"{domain}/{split}"] = frame.iloc[pick].reset_index(drop=True)
    return out


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
