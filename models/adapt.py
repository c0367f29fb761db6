"""Adapt the base model to an analyst's own rated reviews, prove it on held-out reviews, write a version.

`python -m models.adapt --csv FILE --text-column NAME --rating-column NAME [--out DIR]`
(or `--products NAME ...` for rated reviews already in the store) reads like a story:

1. **Labels from ratings** (`core.rating_labels`): unrated reviews are skipped, the class counts are
   printed, and too little data is refused with a readable sentence (exit code 2).
2. **Language** (`core.language`): the reviews' dominant language picks the vendored stopword list.
3. **Split**: stratified, seeded 80/20 train / held-out; 20% of train is the validation part that
   early stopping and the temperature use. The held-out reviews are never trained or tuned on.
4. **Features**: the base vocabulary is extended with the analyst's frequent words and bigrams (from
   the train part only). New rows start at zero (their lexicon valence, if any, is known from VADER);
   every old row is copied to its new position, since adding words moves the bigram and negated blocks.
5. **Fine-tune from the base weights** (read back from the base model's TorchScript file) with
   :func:`models.train.train_loop`. Two guards against forgetting: the weights are *anchored* to the
   base weights (L2-SP: AdamW's decoupled decay pulls toward the base weights, not toward zero, so it
   also works in a deployed app with no corpora), and, when the training corpora are on disk and the
   reviews are in the base model's language, a down-weighted sample of them is mixed into training.
   Nothing is downloaded.
6. **Proof**: base and adapted score the same held-out reviews; the gate passes only when the adapted
   model's macro-F1 beats the base by more than `min_gain` (default 0.01, so noise alone rarely passes).
7. **Version**: TorchScript + features.json + model_card.json (data summary, label mapping, held-out
   metrics of both models, base version, language, created_at, gate) in a new registry directory.

Exit codes: 0 the adapted model passed the gate; 2 unusable data or arguments; 3 written but refused
by the gate (it cannot be activated); 1 anything else.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from core.features import FeatureConfig, Featurizer
from core.language import UNKNOWN, language_shares
from core.rating_labels import LABELS, DataRequirements, RatingCutoffs, insufficiency, label_counts
from core.text import SUPPORTED_LANGUAGES, stopword_set
from models.model import BagConfig, BagModel, Scorer
from models.train import (
    TextSet,
    concat_textsets,
    fit_temperature,
    lexicon,
    make_textset,
    metrics,
    predict_proba,
    set_seeds,
    train_loop,
)

EXIT_OK, EXIT_ERROR, EXIT_DATA, EXIT_GATE = 0, 1, 2, 3
# stage, overall fraction done (0–1), human message
Progress = Callable[[str, float, str], None]


class AdaptError(Exception):
    """The data or arguments cannot produce an adapted model; the message says why, in one sentence."""


class InsufficientData(AdaptError):
    """Too few rated reviews, or too few in a class (the message is `core.rating_labels.insufficiency`)."""


@dataclass
class AdaptOptions:
    """Settings of one adaptation; all recorded in the model card."""

    seed: int = 13  # split, sampling and training seed
    heldout: float = 0.2  # share of rated reviews kept for the base-vs-adapted proof
    val: float = 0.2  # share of the train part used for early stopping and temperature
    epochs: int = 20  # upper bound; early stopping usually ends sooner (after 5–10 epochs)
    patience: int = 3  # epochs without validation improvement before stopping
    batch_size: int = 32  # small batches: a few hundred reviews still give many steps
    lr: float = 1e-2  # AdamW learning rate; higher than the base run (3e-3): new rows start at zero
    anchor: float = 1.0  # L2-SP strength: AdamW decay toward the base weights (0 = plain fine-tuning)
    mix: bool | None = None  # mix in the original corpora: None = when on disk and the language matches
    mix_ratio: float = 0.5  # general examples per analyst training example (costs ~1 point in-domain at 1.0)
    mix_max: int = 3000  # at most this many general examples
    mix_weight: float = 0.5  # loss weight of a general example relative to an analyst review
    min_word_count: int = 2  # an analyst word joins the vocabulary from this many train-part uses
    max_new_words: int = 5000  # vocabulary growth cap
    min_bigram_count: int = 3  # same for bigrams
    max_new_bigrams: int = 5000
    band: float | None = None  # mixed band (models.model.mixed_band); None keeps the base model's
    min_gain: float = 0.01  # held-out macro-F1 the adapted model must add over the base to pass
    confidence: float = 0.95  # ... and on this share of paired bootstrap resamples of the held-out set
    resamples: int = 1000  # bootstrap resamples for that check
    threads: int = 1  # torch threads: the bag model's ops are tiny, and a second thread only adds
    # synchronisation (measured 6x slower per step on our busy 2-core machine)
    corrupt_labels: str | None = None  # gate sanity checks: "shuffle" or "invert" the train/val labels
    cutoffs: RatingCutoffs = field(default_factory=RatingCutoffs)
    requirements: DataRequirements = field(default_factory=DataRequirements)


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


@dataclass
class BaseModel:
    """The model adaptation starts from: eager weights rebuilt from its TorchScript file, plus metadata."""

    path: Path
    scripted: torch.jit.ScriptModule  # what serves today; scores the held-out reviews as "base"
    model: BagModel  # eager copy of the network, the starting point of fine-tuning
    features: FeatureConfig
    card: dict[str, Any]
    temperature: float
    band: float

    @property
    def version(self) -> str:
        """The version string predictions of this model carry."""
        return str(self.card.get("version", self.path.name))


@dataclass
class Adapted:
    """An adapted model in memory, before it is written: scorer, features, card, and the encoded
    held-out reviews (to check the exported file against)."""

    scorer: Scorer
    features: FeatureConfig
    card: dict[str, Any]
    heldout: TextSet


@dataclass
class AdaptResult:
    """What :func:`adapt` produced."""

    card: dict[str, Any]
    version_dir: Path | None

    @property
    def passed(self) -> bool:
        """True when the adapted model beat the base on the held-out reviews."""
        return bool(self.card["gate"]["passed"])

    @property
    def verdict(self) -> str:
        """One readable line: the gate's decision and the numbers behind it."""
        return str(self.card["gate"]["verdict"])


def _report(progress: Progress | None, stage: str, fraction: float, message: str) -> None:
    if progress is not None:
        progress(stage, round(min(max(fraction, 0.0), 1.0), 3), message)


# ---------------------------------------------------------------------------------------------- data


def read_rated_csv(
    path: Path, text_column: str, rating_column: str, product_column: str | None = None
) -> RatedReviews:
    """Rated reviews from a CSV/XLSX file, read and cleaned by the ingestion layer (same as uploads).

    :raises core.ingest.IngestError: unreadable file or a named column missing.
    """
    from core.ingest import ColumnMapping, prepare_rows, read_table, resolve_column

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
    from core.store import reviews_frame

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
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(labels))
    y = np.asarray(labels)
    train, test = train_test_split(idx, test_size=heldout, stratify=y, random_state=seed)
    fit, valid = train_test_split(train, test_size=val, stratify=y[train], random_state=seed)
    return {"train": np.sort(fit), "val": np.sort(valid), "heldout": np.sort(test)}


# ---------------------------------------------------------------------------------------------- base


def load_base(model_dir: Path) -> BaseModel:
    """Rebuild the eager :class:`BagModel` of an exported model from its TorchScript parameters.

    The TorchScript file already holds every weight (`state_dict()` works on a loaded script module)
    and features.json holds the vocabulary, so nothing pickled is needed: the embedding shape gives
    the table size and width, and temperature and band are read from the script module's attributes.
    """
    model_dir = Path(model_dir)
    missing = [
        name
        for name in ("sentiment.pt", "features.json", "model_card.json")
        if not (model_dir / name).is_file()
    ]
    if missing:
        raise AdaptError(f"{model_dir} is not a model directory: {', '.join(missing)} missing")
    scripted = torch.jit.load(str(model_dir / "sentiment.pt"), map_location="cpu")
    scripted.eval()
    features = FeatureConfig.load(model_dir / "features.json")
    card = json.loads((model_dir / "model_card.json").read_text(encoding="utf-8"))
    state = {k.removeprefix("model."): v for k, v in scripted.state_dict().items() if k.startswith("model.")}
    needed = ("embedding.weight", "valence", "head.weight", "head.bias")
    if any(key not in state for key in needed):
        raise AdaptError(f"{model_dir / 'sentiment.pt'} is not a bag model; only bag models can be adapted")
    rows, dim = state["embedding.weight"].shape
    if rows != features.n_features:
        raise AdaptError(f"{model_dir}: the model has {rows} feature rows but features.json describes "
                         f"{features.n_features}")  # fmt: skip
    model = BagModel(BagConfig(rows, dim=dim), state["valence"].clone())
    model.load_state_dict(state)  # strict: a network with other parameters is refused, not half-loaded
    model.eval()
    temperature = float(getattr(scripted, "temperature", card.get("temperature", 1.0)))
    band = float(getattr(scripted, "band", card.get("band", 0.0)))
    return BaseModel(model_dir, scripted, model, features, card, temperature, band)


@torch.no_grad()
def scripted_proba(
    module: torch.jit.ScriptModule | nn.Module, data: TextSet, batch_size: int = 1024
) -> np.ndarray:
    """Probabilities `(n, 3)` from an exported model (a Scorer: it returns probabilities already)."""
    out = [
        module(*data.batch(np.arange(s, min(s + batch_size, len(data)))))
        for s in range(0, len(data), batch_size)
    ]
    return torch.cat(out).numpy() if out else np.zeros((0, 3), dtype=np.float32)


# ---------------------------------------------------------------------------------------------- features


@dataclass
class Extension:
    """A base feature config grown with the analyst's terms, and where each old table row moved."""

    features: FeatureConfig
    row_map: np.ndarray  # (old_rows,) new row of every old row
    new_words: list[str]
    new_bigrams: list[tuple[str, str]]


def extend_features(
    base: FeatureConfig,
    token_lists: Sequence[list[str]],
    *,
    stopwords: Sequence[str],
    language: str,
    options: AdaptOptions,
) -> Extension:
    """Add frequent analyst words and bigrams after the base ones; old ids keep their meaning.

    Negation and contrast words the reviews use are always added, so negation scoping works in a
    new language ("no", "sin", "pero").
    """
    index = {w: i for i, w in enumerate(base.vocab)}
    counts: Counter[str] = Counter(t for tokens in token_lists for t in tokens)
    scope_words = {*base.negation_words, *base.scope_breakers}
    forced = [w for w in counts if w in scope_words and w not in index]
    frequent = [w for w, c in counts.most_common() if c >= options.min_word_count and w not in index]
    new_words = list(dict.fromkeys(forced + frequent))[: options.max_new_words]
    vocab = base.vocab + new_words
    v_old, v_new, b_old = base.n_words, len(vocab), len(base.bigrams)
    word_id = {w: i for i, w in enumerate(vocab)}
    known_pairs = set(base.bigrams)
    pair_counts: Counter[tuple[int, int]] = Counter()
    for tokens in token_lists:
        ids = [word_id.get(t, 1) for t in tokens]
        pair_counts.update(p for p in pairwise(ids) if 1 not in p)
    new_pairs = [
        p for p, c in pair_counts.most_common() if c >= options.min_bigram_count and p not in known_pairs
    ][: options.max_new_bigrams]
    config = FeatureConfig(
        vocab=vocab,
        bigrams=list(base.bigrams) + new_pairs,
        stopwords=sorted(stopwords),
        language=language,
        max_tokens=base.max_tokens,
        max_chars=base.max_chars,
        negation_window=base.negation_window,
        negation_words=list(base.negation_words),
        scope_breakers=list(base.scope_breakers),
    )
    b_new = len(config.bigrams)
    row_map = np.concatenate(
        [
            np.arange(v_old),  # words stay where they were
            v_new + np.arange(b_old),  # bigrams move behind the grown word block
            v_new + b_new + np.arange(v_old),  # negated words move behind the grown bigram block
        ]
    ).astype(np.int64)
    bigram_words = [(vocab[a], vocab[b]) for a, b in new_pairs]
    return Extension(config, row_map, new_words, bigram_words)


def extend_model(base: BagModel, ext: Extension, lex: dict[str, float]) -> BagModel:
    """A BagModel over the extended table: old rows copied to their new positions, new rows zero.

    Zero rows add nothing to a text's mean at first, so the extended model starts out scoring like
    the base (up to the mean's denominator) and learns the new rows from the analyst's labels. New
    words found in the VADER lexicon get their valence (and the flipped one in the negated block).
    """
    n_rows = ext.features.n_features
    weight = torch.zeros(n_rows, base.config.dim)
    row_map = torch.from_numpy(ext.row_map)
    weight[row_map] = base.embedding.weight.detach()
    valence = torch.zeros(n_rows, 2)
    valence[row_map] = base.valence
    from models.train import VADER_NEGATION_SCALAR

    v_new, b_new = ext.features.n_words, len(ext.features.bigrams)
    first_new = len(ext.features.vocab) - len(ext.new_words)
    for offset, word in enumerate(ext.new_words):
        value = lex.get(word, 0.0) / 4.0
        if value:
            row = first_new + offset
            valence[row] = torch.tensor([max(value, 0.0), max(-value, 0.0)])
            flipped = value * VADER_NEGATION_SCALAR
            valence[v_new + b_new + row] = torch.tensor([max(flipped, 0.0), max(-flipped, 0.0)])
    model = BagModel(BagConfig(n_rows, dim=base.config.dim, dropout=base.config.dropout), valence)
    with torch.no_grad():
        model.embedding.weight.copy_(weight)
        model.head.load_state_dict(base.head.state_dict())
    return model


# ---------------------------------------------------------------------------------------------- training


def compact_model(model: BagModel, rows: np.ndarray) -> BagModel:
    """A BagModel over only the table rows `rows` (sorted), with their weights and valence."""
    index = torch.from_numpy(rows)
    config = BagConfig(len(rows), dim=model.config.dim, dropout=model.config.dropout)
    small = BagModel(config, model.valence[index])
    with torch.no_grad():
        small.embedding.weight.copy_(model.embedding.weight[index])
        small.head.load_state_dict(model.head.state_dict())
    return small


def remap(data: TextSet, rows: np.ndarray, n_rows: int) -> TextSet:
    """`data` with feature ids renumbered into the compact table of `rows` (which must hold them all)."""
    lookup = np.full(n_rows, -1, dtype=np.int64)
    lookup[rows] = np.arange(len(rows))
    return replace(data, ids=lookup[data.ids])


def scatter_back(small: BagModel, model: BagModel, rows: np.ndarray) -> None:
    """Write the trained compact rows and head back into the full model."""
    with torch.no_grad():
        model.embedding.weight[torch.from_numpy(rows)] = small.embedding.weight
        model.head.load_state_dict(small.head.state_dict())


class _Anchored(nn.Module):
    """Wraps the network during :func:`train_loop`: L2-SP toward the base weights, and progress ticks.

    Before each training batch, the embedding rows the batch uses and the head are pulled toward their
    base values by the factor `1 - lr * strength` (decoupled weight decay, as AdamW does toward zero, but
    toward the starting point; lazily per touched row, as sparse optimisers decay). The embedding's
    sparse gradients keep each step's cost to the rows in the batch.
    """

    def __init__(
        self, model: BagModel, keep: float, batches: int, on_batch: Callable[[int, int], None]
    ) -> None:
        super().__init__()
        self.model = model
        self.keep = keep  # 1 - lr * strength; 1.0 disables the anchor
        self.anchor_embedding = model.embedding.weight.detach().clone()
        self.anchor_head = [p.detach().clone() for p in model.head.parameters()]
        self.batches = max(batches, 1)
        self.on_batch = on_batch
        self.done = 0

    @torch.no_grad()
    def _pull(self, ids: torch.Tensor) -> None:
        rows = torch.unique(ids)
        weight, anchor = self.model.embedding.weight, self.anchor_embedding
        weight[rows] = anchor[rows] + (weight[rows] - anchor[rows]) * self.keep
        for param, start in zip(self.model.head.parameters(), self.anchor_head, strict=True):
            param.copy_(start + (param - start) * self.keep)

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        if self.training:
            if self.keep < 1.0:
                self._pull(ids)
            self.done += 1
            self.on_batch(self.done, self.batches)
        return self.model(ids, offsets)


def corpora_available() -> bool:
    """True when both training corpora are on disk (extracted and stamped by `python -m models.data`)."""
    from models import data

    return all(
        c.csv_path.is_file() and (data.CORPORA_DIR / f"{c.csv_name}.json").is_file() for c in data.CORPORA
    )


def general_sample(n: int, seed: int) -> dict[str, pd.DataFrame]:
    """`n` examples from the base model's own training splits (half tweets, half IMDB) and a small
    sample of their test splits for the forgetting check. Reads local files only."""
    from models import data

    frames = data.load_splits()
    rng = np.random.default_rng(seed)
    out: dict[str, pd.DataFrame] = {}
    for domain, splits in frames.items():
        for split, size in (("train", n // 2), ("test", 300)):
            frame = splits[split]
            pick = rng.permutation(len(frame))[: min(size, len(frame))]
            out[f"{domain}/{split}"] = frame.iloc[pick].reset_index(drop=True)
    return out


def _frame(labels: Sequence[str], domain: str = "analyst") -> pd.DataFrame:
    return pd.DataFrame({"label": list(labels), "weight": np.float32(1.0), "domain": domain})


# ---------------------------------------------------------------------------------------------- adapt


def adapt(
    reviews: LabelledReviews,
    base: BaseModel,
    options: AdaptOptions | None = None,
    *,
    source: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> Adapted:
    """Fine-tune `base` on labelled reviews and evaluate both models on the same held-out reviews.

    :returns: the adapted scorer, its feature config, the model card (without version and
        created_at; :func:`write_version` adds them; its `gate` holds the verdict) and the held-out set.
    :raises InsufficientData: the class counts cannot support a fair result.
    """
    options = options or AdaptOptions()
    started = time.perf_counter()
    torch.set_num_threads(options.threads)
    set_seeds(options.seed)
    check_sufficient(reviews, options.requirements)
    counts = reviews.counts
    _report(progress, "data", 0.02, "Class counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))

    shares = language_shares(reviews.texts)
    detected = max((k for k in shares if k != UNKNOWN), key=shares.__getitem__, default=UNKNOWN)
    language = detected if detected in SUPPORTED_LANGUAGES else base.features.language
    stopwords = stopword_set(language)
    parts = split_indices(reviews.labels, options.seed, options.heldout, options.val)
    labels = np.asarray(reviews.labels)
    if options.corrupt_labels:  # sanity checks of the gate; the held-out labels always stay true
        labels = corrupt(labels, parts, options.corrupt_labels, options.seed)
    texts = reviews.texts
    _report(progress, "features", 0.05, f"Language: {language}; {len(parts['train'])} train, "
            f"{len(parts['val'])} validation, {len(parts['heldout'])} held-out reviews")  # fmt: skip

    # features: tokens with the language's stopwords; vocabulary grown from the train part only
    tokenizer = Featurizer(
        FeatureConfig(vocab=[], bigrams=[], stopwords=sorted(stopwords), language=language)
    )
    tokens = [tokenizer.tokens(t) for t in texts]
    ext = extend_features(base.features, [tokens[i] for i in parts["train"]], stopwords=stopwords,
                          language=language, options=options)  # fmt: skip
    featurizer = Featurizer(ext.features)
    lex = lexicon()
    model = extend_model(base.model, ext, lex)

    def encode(name: str) -> TextSet:
        idx = parts[name]
        return make_textset(featurizer, [tokens[i] for i in idx], _frame(labels[idx]), polar=False, name=name)

    train, val = encode("train"), encode("val")
    mix = options.mix if options.mix is not None else corpora_available()
    mix = bool(mix) and language == base.features.language
    general: dict[str, pd.DataFrame] = {}
    if mix:
        _report(progress, "features", 0.08, "Mixing in a sample of the original training corpora")
        general = general_sample(min(options.mix_max, round(options.mix_ratio * len(train))), options.seed)
        mixed = []
        for key in ("tweets/train", "imdb/train"):
            frame = general[key]
            ts = make_textset(featurizer, [featurizer.tokens(t) for t in frame["text"]], frame, name=key)
            ts.weights = ts.weights * np.float32(options.mix_weight)
            mixed.append(ts)
        train = concat_textsets([train, *mixed], "train+general")
    timings = {"data_and_features": round(time.perf_counter() - started, 1)}
    _report(progress, "training", 0.1, f"Training on {len(train)} examples")

    # Train only the table rows these examples touch (a compact copy): rows no analyst review uses
    # would get no gradient anyway, and each optimiser step then costs the touched rows, not the table.
    rows = np.unique(np.concatenate([train.ids, val.ids]))
    small = compact_model(model, rows)
    train_c, val_c = remap(train, rows, model.config.n_features), remap(val, rows, model.config.n_features)
    n_batches = options.epochs * -(-len(train) // options.batch_size)

    def on_batch(done: int, total: int) -> None:
        if done % 10 == 0 or done == total:
            _report(
                progress, "training", 0.1 + 0.75 * done / total, f"Training: batch {done} of at most {total}"
            )

    wrapped = _Anchored(small, 1.0 - options.lr * options.anchor, n_batches, on_batch)
    result = train_loop(
        wrapped, train_c, [val_c], epochs=options.epochs, batch_size=options.batch_size, lr=options.lr,
        patience=options.patience, seed=options.seed, log=False,
    )  # fmt: skip
    temperature = fit_temperature(small, [val_c])
    scatter_back(small, model, rows)
    model.eval()
    band = base.band if options.band is None else options.band
    scorer = Scorer(model, temperature=temperature, band=band).eval()
    timings["training"] = round(time.perf_counter() - started - timings["data_and_features"], 1)
    _report(progress, "evaluating", 0.88, "Scoring the held-out reviews with both models")

    held_idx = parts["heldout"]
    held_labels = np.asarray(reviews.labels)[held_idx]  # true labels, even in a sanity check
    adapted_set = make_textset(featurizer, [tokens[i] for i in held_idx], _frame(held_labels), polar=False)
    base_featurizer = Featurizer(base.features)
    held_texts = [texts[i] for i in held_idx]
    base_tokens = [base_featurizer.tokens(t) for t in held_texts]
    base_set = make_textset(base_featurizer, base_tokens, _frame(held_labels), polar=False)
    base_probs, adapted_probs = scripted_proba(base.scripted, base_set), predict_proba(scorer, adapted_set)
    base_metrics = metrics(base_set.labels, base_probs)
    adapted_metrics = metrics(adapted_set.labels, adapted_probs)
    share = bootstrap_share_better(
        base_set.labels,
        base_probs.argmax(axis=1),
        adapted_probs.argmax(axis=1),
        options.resamples,
        options.seed,
    )
    gate = gate_verdict(base_metrics, adapted_metrics, options.min_gain, share, options.confidence)

    general_check = {}
    if mix:  # did the adapted model forget the general domains? (same samples, both models)
        for key in ("tweets/test", "imdb/test"):
            frame = general[key]
            b = make_textset(base_featurizer, [base_featurizer.tokens(t) for t in frame["text"]], frame)
            a = make_textset(featurizer, [featurizer.tokens(t) for t in frame["text"]], frame)
            general_check[key] = {
                "base_macro_f1": metrics(b.labels, _polar_view(scripted_proba(base.scripted, b), b))[
                    "macro_f1"
                ],
                "adapted_macro_f1": metrics(a.labels, _polar_view(predict_proba(scorer, a), a))["macro_f1"],
                "n": len(frame),
            }

    options_record = asdict(options)
    options_record["cutoffs"] = asdict(options.cutoffs)
    options_record["requirements"] = asdict(options.requirements)
    base_arch = base.card.get("architecture")
    architecture = dict(base_arch) if isinstance(base_arch, dict) else {}
    architecture.update(
        name=f"{architecture.get('name', 'fastText-style bag model')} (adapted)",
        n_features=ext.features.n_features,
        dim=model.config.dim,
        temperature=temperature,
        mixed_band=band,
    )
    card: dict[str, Any] = {
        "kind": "adapted",
        "description": (
            f"Adapted from {base.version} on {len(reviews.texts)} rated reviews ({language}); held-out "
            f"macro-F1 {adapted_metrics['macro_f1']:.3f} vs base {base_metrics['macro_f1']:.3f}."
        ),
        "task": base.card.get("task", "3-class review sentiment: negative / neutral / positive"),
        "architecture": architecture,
        "base_version": base.version,
        "language": language,
        "labels": list(LABELS),
        "metrics": {"heldout/adapted": adapted_metrics, "heldout/base": base_metrics},
        "known_limits": [
            "Specialised on the reviews it was adapted on; general tweet/movie accuracy may drop a little "
            "(see general_check when the corpora were mixed in).",
            f"Proof rests on {base_metrics['n']} held-out reviews; small sets give noisy macro-F1.",
            "Labels come from star ratings, which are noisy (a 3-star review may read positive).",
        ],
        "label_mapping": {
            "negative_max": options.cutoffs.negative_max,
            "positive_min": options.cutoffs.positive_min,
            "rule": (
                f"normalised rating <= {options.cutoffs.negative_max} negative, "
                f"< {options.cutoffs.positive_min} neutral, else positive"
            ),
            "five_point": _scale_mapping(5, options.cutoffs),
            "ten_point": _scale_mapping(10, options.cutoffs),
        },
        "data": {
            "source": source or {},
            "rated": len(reviews.texts),
            "unrated_skipped": reviews.unrated,
            "duplicates_skipped": reviews.duplicates,
            "class_counts": counts,
            "split": {name: len(idx) for name, idx in parts.items()},
            "heldout_class_counts": label_counts(held_labels.tolist()),
            "language_shares": {k: round(v, 3) for k, v in shares.items()},
            "products": sorted(set(reviews.products))[:50],
        },
        "training": {
            "options": options_record,
            "epochs_run": len(result.history),
            "best_epoch": result.best_epoch,
            "best_val_macro_f1": result.best_score,
            "history": result.history,
            "seconds": round(time.perf_counter() - started, 1),
            "timings": {**timings, "compact_rows": len(rows)},
            "forgetting_guard": _guard_text(options.anchor > 0, mix, options),
            "mixed_general_examples": int(len(train) - len(parts["train"])),
            "vocabulary": {
                "base_words": base.features.n_words,
                "added_words": len(ext.new_words),
                "added_bigrams": len(ext.new_bigrams),
                "examples_added": ext.new_words[:25],
            },
        },
        "temperature": temperature,
        "band": band,
        "heldout": {"base": base_metrics, "adapted": adapted_metrics},
        "general_check": general_check,
        "gate": gate,
    }
    _report(progress, "evaluating", 0.92, gate["verdict"])
    return Adapted(scorer, ext.features, card, adapted_set)


def _polar_view(probs: np.ndarray, data: TextSet) -> np.ndarray:
    """For polarity-only sets (IMDB) judge the positive-vs-negative decision alone."""
    if data.polar.all():
        probs = probs.copy()
        probs[:, 1] = 0.0
    return probs


def _scale_mapping(points: int, cutoffs: RatingCutoffs) -> dict[str, list[int]]:
    """Which stars of a `points`-point scale (1..points) land in each class."""
    out: dict[str, list[int]] = {label: [] for label in LABELS}
    for star in range(1, points + 1):
        out[str(cutoffs.label((star - 1) / (points - 1)))].append(star)
    return out


def _guard_text(anchored: bool, mix: bool, options: AdaptOptions) -> str:
    parts = []
    if anchored:
        parts.append(f"L2-SP toward the base weights (decoupled, strength {options.anchor})")
    if mix:
        parts.append(f"original corpora mixed in (ratio {options.mix_ratio}, weight {options.mix_weight})")
    return "; ".join(parts) or "none"


def bootstrap_share_better(
    truth: np.ndarray, base_pred: np.ndarray, adapted_pred: np.ndarray, resamples: int = 1000, seed: int = 13
) -> float:
    """Share of bootstrap resamples of the held-out reviews on which the adapted macro-F1 beats the base's.

    The same resample judges both models (a paired bootstrap), so the share measures how reliably the
    adapted model is better on reviews like these, not just on this one draw of 40–1,000 reviews.
    Macro-F1 averages over the classes present in the full held-out set, as :func:`models.train.metrics`.
    """
    n = len(truth)
    if n == 0:
        return 0.0
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(np.float64)  # (B, n)
    classes = np.unique(truth)

    def macro_f1(pred: np.ndarray) -> np.ndarray:
        scores = []
        for c in classes:
            tp = weights @ ((pred == c) & (truth == c))
            fp = weights @ ((pred == c) & (truth != c))
            fn = weights @ ((pred != c) & (truth == c))
            scores.append(
                np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros(resamples), where=(2 * tp + fp + fn) > 0)
            )
        return np.mean(scores, axis=0)  # (B,)

    return float(np.mean(macro_f1(adapted_pred) > macro_f1(base_pred)))


def gate_verdict(
    base: dict[str, Any],
    adapted: dict[str, Any],
    min_gain: float,
    share_better: float = 1.0,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """The activation gate on held-out macro-F1.

    Passes when the adapted model's macro-F1 exceeds the base's by more than `min_gain` **and** it is
    better on at least `confidence` of paired bootstrap resamples (`share_better`), so a gain that
    is within the noise of a small held-out set (a model trained on shuffled labels) is refused.
    """
    b, a = float(base["macro_f1"]), float(adapted["macro_f1"])
    passed = a - b > min_gain and share_better >= confidence
    word = "PASSED" if passed else "REFUSED"
    relation = "beats" if a > b else "does not beat"
    verdict = (
        f"{word}: adapted macro-F1 {a:.3f} {relation} base {b:.3f} on {base['n']} held-out reviews "
        f"(gain {a - b:+.3f}, better in {share_better:.0%} of bootstrap resamples; "
        f"needs a gain above {min_gain:+.3f} in at least {confidence:.0%})"
    )
    return {"passed": passed, "verdict": verdict, "metric": "macro_f1", "base": b, "adapted": a,
            "gain": round(a - b, 4), "min_gain": min_gain, "share_better": round(share_better, 4),
            "confidence": confidence}  # fmt: skip


# ---------------------------------------------------------------------------------------------- writing


def run(
    reviews: LabelledReviews,
    base: BaseModel,
    options: AdaptOptions | None = None,
    *,
    out_dir: Path | None = None,
    source: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> AdaptResult:
    """Adapt, evaluate and write the version (a new registry directory unless `out_dir` is given)."""
    adapted = adapt(reviews, base, options, source=source, progress=progress)
    _report(progress, "writing", 0.95, "Writing the version")
    version_dir = write_version(adapted, out_dir)
    card = json.loads((version_dir / "model_card.json").read_text(encoding="utf-8"))
    _report(progress, "done", 1.0, card["gate"]["verdict"])
    return AdaptResult(card, version_dir)


def write_version(adapted: Adapted, out_dir: Path | None = None) -> Path:
    """Write TorchScript + features.json + model_card.json into a new registry version (or `out_dir`).

    Files are written into a temporary sibling first and renamed into place, so a cancelled or failed
    run never leaves a half-written version that the registry would list.
    """
    from core import registry

    if out_dir is None:
        target = registry.new_version_dir()
        target.rmdir()  # reserved the unique name; the finished directory is renamed onto it
    else:
        target = Path(out_dir)
        if target.exists() and any(target.iterdir()):
            raise AdaptError(f"{target} already exists and is not empty; choose a new --out directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.rmdir()
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        card = {
            **adapted.card,
            "version": target.name,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        export_scorer(adapted.scorer, adapted.features, card, staging, check=adapted.heldout)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def export_scorer(
    scorer: Scorer,
    features: FeatureConfig,
    card: dict[str, Any],
    out_dir: Path,
    *,
    check: TextSet | None = None,
) -> None:
    """Export with :func:`models.export.export` (TorchScript + features.json), add the card, and check
    that the reloaded file scores `check` like the eager scorer."""
    from models.export import export

    model_file = export(scorer, features, out_dir)
    (out_dir / "model_card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False), encoding="utf-8")
    if check is not None and len(check):
        from core.predictor import load_scorer

        reloaded = load_scorer(model_file)
        diff = np.abs(scripted_proba(reloaded, check) - predict_proba(scorer, check)).max()
        if diff > 1e-5:
            raise AdaptError(f"the exported model disagrees with the trained one (max difference {diff:.2e})")


# ---------------------------------------------------------------------------------------------- CLI


class StatusFile:
    """Progress as a small JSON file for background runs (`models.adapt_job`); atomic rewrites."""

    def __init__(self, path: Path | None, interval: float = 0.5) -> None:
        self.path = Path(path) if path else None
        self.interval = interval
        self._last = 0.0
        self.state: dict[str, Any] = {"state": "running", "stage": "starting", "progress": 0.0, "message": "",
                                      "pid": os.getpid(), "started_at": time.time()}  # fmt: skip

    def __call__(self, stage: str, fraction: float, message: str) -> None:
        self.update(stage=stage, progress=fraction, message=message)

    def update(self, force: bool = False, **fields: Any) -> None:
        """Merge `fields` into the status and rewrite the file (at most every `interval` seconds)."""
        self.state.update(fields, updated_at=time.time())
        if self.path is None or (not force and time.monotonic() - self._last < self.interval):
            return
        self._last = time.monotonic()
        fd, tmp = tempfile.mkstemp(prefix=".status-", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.state, fh, ensure_ascii=False, default=str)
        os.replace(tmp, self.path)


def summary(card: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers of a card (for status files and the app)."""
    held = card["heldout"]
    return {
        "version": card.get("version"),
        "passed": card["gate"]["passed"],
        "verdict": card["gate"]["verdict"],
        "base_macro_f1": held["base"]["macro_f1"],
        "adapted_macro_f1": held["adapted"]["macro_f1"],
        "base_accuracy": held["base"]["accuracy"],
        "adapted_accuracy": held["adapted"]["accuracy"],
        "class_counts": card["data"]["class_counts"],
        "language": card["language"],
        "seconds": card["training"]["seconds"],
    }


def format_report(card: dict[str, Any]) -> str:
    """Base-vs-adapted held-out metrics as a small text table, then the verdict line."""
    base, adapted = card["heldout"]["base"], card["heldout"]["adapted"]
    rows = [
        ("accuracy", base["accuracy"], adapted["accuracy"]),
        ("macro-F1", base["macro_f1"], adapted["macro_f1"]),
    ]
    rows += [
        (f"F1 {label}", base["per_class"][label]["f1"], adapted["per_class"][label]["f1"]) for label in LABELS
    ]
    lines = [f"Held-out reviews: {base['n']}", f"{'metric':<14}{'base':>8}{'adapted':>9}"]
    lines += [f"{name:<14}{b:>8.3f}{a:>9.3f}" for name, b, a in rows]
    for name, m in (("base", base), ("adapted", adapted)):
        lines.append(f"confusion ({name}; rows truth neg/neu/pos, columns predicted): {m['confusion']}")
    for key, check in card.get("general_check", {}).items():
        lines.append(
            f"general {key}: macro-F1 base {check['base_macro_f1']:.3f}, "
            f"adapted {check['adapted_macro_f1']:.3f}"
        )
    lines.append(card["gate"]["verdict"])
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m models.adapt", description="Adapt the sentiment model to your rated reviews."
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--csv", type=Path, help="rated reviews file (CSV or XLSX)")
    source.add_argument(
        "--products", nargs="+", metavar="NAME", help="use rated reviews of these stored products"
    )
    source.add_argument("--all-products", action="store_true", help="use every rated review in the store")
    parser.add_argument("--text-column", help="review text column (with --csv)")
    parser.add_argument("--rating-column", help="rating column (with --csv)")
    parser.add_argument("--product-column", help="optional product column (with --csv)")
    parser.add_argument("--out", type=Path, help="write the version here instead of a new registry directory")
    parser.add_argument(
        "--base", default="base", help="model to adapt: 'base' (default), a version or a directory"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--negative-max",
        type=float,
        default=RatingCutoffs.negative_max,
        help="normalised rating at or below which a review is negative (default 0.34)",
    )
    parser.add_argument("--positive-min", type=float, default=RatingCutoffs.positive_min,
                        help="normalised rating from which a review is positive (default 0.6)")  # fmt: skip
    parser.add_argument("--epochs", type=int, default=AdaptOptions.epochs)
    parser.add_argument("--min-gain", type=float, default=AdaptOptions.min_gain)
    mix = parser.add_mutually_exclusive_group()
    mix.add_argument("--mix", dest="mix", action="store_true", default=None, help="require the local corpora")
    mix.add_argument("--no-mix", dest="mix", action="store_false", help="do not mix in the original corpora")
    parser.add_argument(
        "--activate", action="store_true", help="activate the new version if it passes the gate"
    )
    parser.add_argument("--status-file", type=Path, help="write progress as JSON here (background runs)")
    return parser


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds through write_version's cleanup


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; see the module docstring for the exit codes."""
    args = _parser().parse_args(argv)
    status = StatusFile(args.status_file)
    status.update(force=True)

    def progress(stage: str, fraction: float, message: str) -> None:
        status(stage, fraction, message)
        print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)

    def fail(code: int, message: str, state: str = "failed") -> int:
        print(f"Error: {message}" if code != EXIT_DATA else message, file=sys.stderr)
        status.update(force=True, state=state, message=message, exit_code=code)
        return code

    from core import registry
    from core.ingest import IngestError

    try:
        cutoffs = RatingCutoffs(args.negative_max, args.positive_min)
        options = AdaptOptions(seed=args.seed, epochs=args.epochs, min_gain=args.min_gain, mix=args.mix,
                               cutoffs=cutoffs)  # fmt: skip
        if args.csv is not None:
            if not (args.text_column and args.rating_column):
                return fail(EXIT_DATA, "--csv needs --text-column and --rating-column.")
            data = read_rated_csv(args.csv, args.text_column, args.rating_column, args.product_column)
        else:
            from core.store import get_engine

            data = read_rated_store(get_engine(), None if args.all_products else args.products)
        reviews = label_reviews(data, cutoffs)
        counts = reviews.counts
        print("Class counts: " + ", ".join(f"{k} {v}" for k, v in counts.items())
              + f" ({reviews.unrated} unrated skipped, {reviews.duplicates} duplicates skipped)")  # fmt: skip
        status.update(force=True, class_counts=counts)
        base = load_base(registry.resolve_model_dir(args.base))
        if options.mix and not corpora_available():
            return fail(
                EXIT_DATA, "--mix needs the training corpora on disk: run `python -m models.data` first."
            )
        result = run(reviews, base, options, out_dir=args.out, source=data.source, progress=progress)
        version_dir, card = result.version_dir, result.card
    except (InsufficientData, AdaptError, ValueError) as exc:
        return fail(EXIT_DATA, str(exc))
    except IngestError as exc:
        return fail(EXIT_DATA, str(exc))
    except registry.RegistryError as exc:
        return fail(EXIT_DATA, str(exc))
    except KeyboardInterrupt:
        return fail(EXIT_ERROR, "Adaptation cancelled.", state="cancelled")
    except Exception as exc:  # the status file must say why a background run died
        fail(EXIT_ERROR, f"{type(exc).__name__}: {exc}")
        raise
    print(format_report(card))
    print(f"Version written: {version_dir}")
    activated = False
    if args.activate and card["gate"]["passed"]:
        registry.activate(version_dir.name)
        activated = True
        print(f"Activated {version_dir.name}.")
    code = EXIT_OK if card["gate"]["passed"] else EXIT_GATE
    status.update(force=True, state="finished", stage="done", progress=1.0, message=card["gate"]["verdict"],
                  result={**summary(card), "version_dir": str(version_dir), "activated": activated},
                  exit_code=code)  # fmt: skip
    return code


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)  # `AdaptJob.cancel`: clean up, record "cancelled"
    raise SystemExit(main())
