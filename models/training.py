"""The training library: data preparation, the training loop, evaluation, temperature fitting, export.

`models/train.py` (`make train`) tells the story with these pieces; `models/card.py` writes the card.

- **Data**: :func:`load_corpus` loads the training corpora (tweets, IMDB, Women's Clothing reviews) with
  their seeded 80/10/10 splits (`models.data`, `models.reviews_data`) and tokenises them once, sentence
  by sentence (:meth:`core.nlp.features.Featurizer.sentence_tokens`); :func:`train_run` builds a
  vocabulary and bigram list from the training split only, plus the VADER lexicon words. The
  evaluation-only review sets (Alexa, Fine Food, COAR) are never part of a :class:`Corpus`: they are
  read by :func:`evaluate_review_sets` only, after every choice is made.
- **Loop**: :func:`train_loop` (class-weighted loss, weight averaging, early stopping on validation).
- **Evaluation**: :func:`metrics`, :func:`evaluate`, :func:`choose_band` (the mixed band, on validation
  data), :func:`compare_candidates` (bag vs sentence-aware), :func:`leave_one_corpus_out`, and
  :func:`evaluate_predictor` / :func:`measure_speed` on the exported artifact.
- **Calibration**: :func:`fit_temperature` on validation data.
- **Export**: :func:`export_base` (TorchScript + features.json through :func:`models.export.export`).

The recipe (data mix, vocabulary rule, network settings) is one :class:`TrainConfig`.

Reusable pieces (adaptation fine-tunes on an analyst's rated reviews with them, `models.adapt`):
:class:`TextSet` (encoded examples), :func:`train_loop`, :func:`predict_proba`, :func:`evaluate`,
:func:`fit_temperature`, and :func:`models.export.export`.
"""

from __future__ import annotations

import copy
import json
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import AveragedModel

from core.inference.predictor import Predictor
from core.nlp.features import Encoded, FeatureConfig, Featurizer, build_config
from core.nlp.text import stopword_set, tokenize
from models import data as corpora
from models import reviews_data
from models.export import export
from models.model import (
    NEG,
    NEU,
    POS,
    BagConfig,
    BagModel,
    HierConfig,
    HierModel,
    Network,
    Scorer,
    mixed_band,
)

LABELS = ("negative", "neutral", "positive")
LABEL_ID = {name: i for i, name in enumerate(LABELS)}
VADER_NEGATION_SCALAR = -0.74  # VADER's own factor for a negated lexicon word
POLARITY_ONLY_BAND = 0.3  # mixed band for models trained without any neutral label (fixed a priori)
TRAIN_DOMAINS = ("tweets", "imdb", "clothing")  # corpora allowed for fitting (issue 15)


@dataclass
class TrainConfig:
    """Settings of one training run (the recipe); all recorded in the model card."""

    # network
    arch: str = "mil"  # "mil" (HierModel, shipped) or "bag" (BagModel, compared)
    dim: int = 32  # embedding width
    attention_dim: int = 16  # HierModel: hidden width of the attention MLP
    doc_bag: bool = False  # HierModel: add whole-document bag logits (H2 in the research notes)
    context_attention: bool = False  # HierModel: attention also sees the document's mean sentence vector
    sentence_prior_weight: float = 2.0  # HierModel: pseudo-count of the "no evidence" vector per sentence
    prior_weight: float = 8.0  # BagModel (and HierModel's document bag): the same per document
    # data mix
    domains: tuple[str, ...] = TRAIN_DOMAINS  # corpora used for training and validation
    imdb_train_rows: int | None = 20_000  # seeded subsample of IMDB's training split (None: all)
    max_train_per_domain: int | None = None  # subsample every domain (quick comparisons, dry run)
    domain_boost: dict[str, float] = field(default_factory=dict)  # extra weight per domain, after equalising
    tweets_polar: bool = False  # tweets train as positive-vs-negative only (their neutral = "no opinion")
    class_weight: str = "inverse"  # "inverse" or "sqrt" (square root of inverse) class frequency
    # vocabulary
    min_count: int = 3  # minimum word frequency in the training split
    max_words: int = 30_000  # vocabulary cap, including the VADER lexicon words
    min_bigram_count: int = 5
    max_bigrams: int = 80_000
    max_sentences: int = 40  # sentences read per text (3/4 head + 1/4 tail)
    # loop
    epochs: int = 4  # upper bound; early stopping usually ends sooner (best epoch is 1-2)
    patience: int = 1  # epochs without validation improvement before stopping
    batch_size: int = 64  # small batches suit the sparse embedding table
    lr: float = 5e-3  # Adam learning rate (SparseAdam for the embedding table)
    weight_decay: float = 0.0  # embeddings are sparse-ish; decay hurt rare words in early tries
    seed: int = 13  # python, numpy and torch seeds
    # Weight averaging (SWA): the running mean of the weights every this many batches from half-way
    # through epoch 1 is what is validated and kept; None trains and keeps the plain weights.
    average_every: int | None = 200
    # L2 penalty on the embedding rows each batch looks up (row_penalty), chosen on validation
    embedding_l2: float = 0.05
    word_dropout: float = 0.0  # share of feature ids dropped at random from each training batch
    # calibration: the mixed band is chosen on `band_domain` validation macro-F1 among `bands`, keeping
    # IMDB validation accuracy within 1.5 points of no band
    bands: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3)
    band_domain: str = "clothing"
    threads: int = 1  # torch intra-op threads (2 shared cores: one leaves room for everyone else)


@dataclass
class TextSet:
    """Encoded examples plus labels and loss weights; what :func:`train_loop` and :func:`evaluate` consume.

    `polar` marks examples that only know positive vs negative (IMDB, star ratings without a middle):
    their loss ignores the neutral class, so long texts are not taught "never neutral".
    """

    labels: np.ndarray  # (n,) int64 class ids (0 negative, 1 neutral, 2 positive)
    weights: np.ndarray  # (n,) float32 loss weight per example
    polar: np.ndarray  # (n,) bool: polarity-only example
    encoded: Encoded  # the texts' sentence bags
    name: str = ""  # e.g. "tweets/test"
    # training only: share of feature ids dropped at random from each batch (word dropout)
    word_dropout: float = 0.0
    seed: int = 13

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def batch(self, idx: np.ndarray) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Model inputs `(ids, sent_offsets, doc_offsets)` for examples `idx`."""
        ids, sent_offsets, doc_offsets = self.encoded.take(idx)
        if self.word_dropout > 0.0:
            kept = self._rng.random(ids.shape[0]) >= self.word_dropout
            sentence_of = np.repeat(np.arange(len(sent_offsets)), np.diff(np.append(sent_offsets, len(ids))))
            lengths = np.bincount(sentence_of[kept], minlength=len(sent_offsets))
            ids, sent_offsets = ids[kept], np.concatenate([[0], np.cumsum(lengths[:-1])]).astype(np.int64)
        return torch.from_numpy(ids), torch.from_numpy(sent_offsets), torch.from_numpy(doc_offsets)


def make_textset(
    featurizer: Featurizer,
    sentence_tokens: Sequence[list[list[str]]],
    frame: pd.DataFrame,
    *,
    polar: bool | None = None,
    name: str = "",
) -> TextSet:
    """Encode texts of `frame` (columns label, weight, domain), already tokenised per sentence.

    :param polar: force polarity-only loss on/off; default: on for IMDB rows.
    """
    is_polar = (frame["domain"] == "imdb").to_numpy() if polar is None else np.full(len(frame), polar)
    return TextSet(
        labels=frame["label"].map(LABEL_ID).to_numpy(np.int64),
        weights=frame["weight"].to_numpy(np.float32),
        polar=is_polar,
        encoded=featurizer.encode_tokens(sentence_tokens),
        name=name,
    )


def concat_textsets(sets: Sequence[TextSet], name: str = "") -> TextSet:
    """One :class:`TextSet` from several."""
    return TextSet(
        labels=np.concatenate([s.labels for s in sets]),
        weights=np.concatenate([s.weights for s in sets]),
        polar=np.concatenate([s.polar for s in sets]),
        encoded=Encoded.concat([s.encoded for s in sets]),
        name=name,
    )


def loss_fn(
    logits: torch.Tensor,
    labels: torch.Tensor,
    weights: torch.Tensor,
    polar: torch.Tensor,
    class_weight: torch.Tensor,
) -> torch.Tensor:
    """Weighted cross-entropy; polarity-only rows use CE over the renormalised (negative, positive) pair.

    :param logits: `(batch, 3)`; :param labels: `(batch,)`; :param weights: `(batch,)` per-example weight;
    :param polar: `(batch,)` bool; :param class_weight: `(3,)` inverse-frequency weights for 3-class rows.
    """
    ce3 = F.cross_entropy(logits, labels, reduction="none") * class_weight[labels]
    pair = logits[:, [NEG, POS]]  # (batch, 2)
    ce2 = F.cross_entropy(pair, (labels == POS).long(), reduction="none")
    per_row = torch.where(polar, ce2, ce3) * weights
    return per_row.sum() / weights.sum().clamp_min(1e-9)


@torch.no_grad()
def predict_proba(model: nn.Module, data: TextSet, batch_size: int = 1024) -> np.ndarray:
    """Document probabilities `(n, 3)` of a network (eager or a :class:`Scorer`), in eval mode."""
    was_training = model.training
    model.eval()
    out = []
    for start in range(0, len(data), batch_size):
        idx = np.arange(start, min(start + batch_size, len(data)))
        result = model(*data.batch(idx))
        out.append(result[0] if isinstance(model, Scorer) else torch.softmax(result, dim=1))
    model.train(was_training)
    return torch.cat(out).numpy() if out else np.zeros((0, 3), dtype=np.float32)


def metrics(labels: np.ndarray, probs: np.ndarray) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class P/R/F1 and the 3x3 confusion matrix (rows = truth, cols = prediction).

    Macro-F1 averages over the classes present in the truth: for IMDB (no neutral) a neutral
    prediction counts as an error, and macro-F1 is over negative and positive.
    `polarity_accuracy` compares only P(positive) vs P(negative), for polarity-only sets.
    """
    pred = probs.argmax(axis=1)
    present = sorted(set(labels.tolist()))
    confusion = confusion_matrix(labels, pred)
    tp = np.diag(confusion).astype(np.float64)
    predicted, s = confusion.sum(axis=0), confusion.sum(axis=1)
    p = np.divide(tp, predicted, out=np.zeros(3), where=predicted > 0)
    r = np.divide(tp, s, out=np.zeros(3), where=s > 0)
    f = np.divide(2 * tp, predicted + s, out=np.zeros(3), where=(predicted + s) > 0)
    per_class = {
        LABELS[c]: {
            "precision": round(float(p[c]), 4),
            "recall": round(float(r[c]), 4),
            "f1": round(float(f[c]), 4),
            "support": int(s[c]),
        }
        for c in range(3)
    }
    out: dict[str, object] = {
        "n": len(labels),
        "accuracy": round(float((pred == labels).mean()), 4) if len(labels) else 0.0,
        "macro_f1": round(float(np.mean([f[c] for c in present])), 4) if present else 0.0,
        "per_class": per_class,
        "confusion": confusion.tolist(),
    }
    if NEU not in present:
        polar_pred = np.where(probs[:, POS] >= probs[:, NEG], POS, NEG)
        out["polarity_accuracy"] = round(float((polar_pred == labels).mean()), 4)
    return out


def confusion_matrix(labels: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """3x3 counts, rows = true class, columns = predicted class (NumPy; the app image has no scikit-learn)."""
    return np.bincount(labels.astype(np.int64) * 3 + pred.astype(np.int64), minlength=9).reshape(3, 3)


def evaluate(model: nn.Module, data: TextSet, band: float | None = None) -> dict[str, Any]:
    """Metrics of `model` on `data`; `band` applies :func:`mixed_band` to eager-model probabilities."""
    probs = predict_proba(model, data)
    if band:
        probs = mixed_band(torch.from_numpy(probs), band).numpy()
    return metrics(data.labels, probs)


def selection_score(model: nn.Module, vals: Sequence[TextSet]) -> float:
    """Validation score for early stopping: mean macro-F1 over the validation sets (polarity F1 for IMDB)."""
    scores = []
    for val in vals:
        probs = predict_proba(model, val)
        if val.polar.all():
            probs = probs.copy()
            probs[:, NEU] = 0.0  # polarity-only data: judge the pos-vs-neg decision alone
        scores.append(float(metrics(val.labels, probs)["macro_f1"]))
    return float(np.mean(scores))


@dataclass
class TrainResult:
    """What :func:`train_loop` returns: the best model (already loaded) and the per-epoch history."""

    model: nn.Module
    best_epoch: int
    best_score: float
    history: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0


def train_loop(
    model: nn.Module,
    train: TextSet,
    vals: Sequence[TextSet],
    *,
    epochs: int = 10,
    batch_size: int = 64,
    lr: float = 3e-3,
    weight_decay: float = 0.0,
    patience: int = 2,
    seed: int = 13,
    average_every: int | None = None,
    embedding_l2: float = 0.0,
    class_weight: str = "inverse",
    max_batches: int | None = None,
    log: bool = True,
) -> TrainResult:
    """Train `model` on `train` with AdamW, class-weighted loss and early stopping on `vals`.

    Class weights are inverse class frequencies of the 3-class (non-polar) training rows, scaled into
    each row's weight together with the per-example `weights`. The best epoch's weights are restored.

    :param model: a :class:`~models.model.HierModel` or :class:`~models.model.BagModel` (or anything
        taking `train.batch(...)` and returning `(batch, 3)` logits).
    :param vals: validation sets; the early-stopping score is their mean macro-F1 (:func:`selection_score`).
    :param average_every: if set, stochastic weight averaging (torch's `AveragedModel`, Izmailov et
        al. 2018): a running mean of the weights, taken every this many batches from half-way through
        the first epoch, is what each epoch is judged on and what is kept, while training itself goes
        on from the plain weights. The mean is a flatter solution than any single step, and steadier
        from seed to seed.
    :param embedding_l2: weight of the model's `row_penalty` (L2 on the embedding rows a batch
        uses) in the loss; 0 leaves it out.
    :param class_weight: "inverse" class frequency, or its square root ("sqrt").
    :param max_batches: stop each epoch after this many batches (the dry run uses 1).
    :returns: the best model and the history.
    """
    started = time.perf_counter()
    set_seeds(seed)
    rng = np.random.default_rng(seed)
    three = train.labels[~train.polar]
    counts = np.bincount(three, minlength=3).astype(np.float64)
    inverse = np.where(counts > 0, counts.sum() / (3 * np.maximum(counts, 1)), 1.0)
    class_weight_t = torch.tensor(
        np.sqrt(inverse) if class_weight == "sqrt" else inverse, dtype=torch.float32
    )
    optimizers = make_optimizers(model, lr, weight_decay)
    if embedding_l2 and not isinstance(model, HierModel | BagModel):
        raise TypeError(f"embedding_l2 needs a network with a row_penalty, not {type(model).__name__}")
    average = AveragedModel(model) if average_every else None
    first_snapshot, step = len(train) // batch_size // 2, 0
    best_score, best_epoch, best_state, history, stale = -math.inf, 0, None, [], 0
    for epoch in range(1, epochs + 1):
        model.train()
        order = rng.permutation(len(train))
        total, seen = 0.0, 0
        for b, start in enumerate(range(0, len(order), batch_size)):
            if max_batches is not None and b >= max_batches:
                break
            idx = order[start : start + batch_size]
            inputs = train.batch(idx)
            logits = model(*inputs)
            loss = loss_fn(
                logits,
                torch.from_numpy(train.labels[idx]),
                torch.from_numpy(train.weights[idx]),
                torch.from_numpy(train.polar[idx]),
                class_weight_t,
            )
            if embedding_l2 and isinstance(model, HierModel | BagModel):
                loss = loss + embedding_l2 * model.row_penalty(inputs[0])
            for opt in optimizers:
                opt.zero_grad(set_to_none=True)
            loss.backward()
            for opt in optimizers:
                opt.step()
            total += float(loss.detach()) * len(idx)
            seen += len(idx)
            step += 1
            if average is not None and average_every and step >= first_snapshot and step % average_every == 0:
                average.update_parameters(model)
        trained = None
        if average is not None and average.n_averaged > 0:  # judge (and keep) the averaged weights;
            trained = copy.deepcopy(model.state_dict())  # training goes on from its own
            model.load_state_dict(average.module.state_dict())
        score = selection_score(model, vals)
        history.append(
            {"epoch": epoch, "train_loss": round(total / max(seen, 1), 4), "val_score": round(score, 4)}
        )
        if log:
            print(f"  epoch {epoch}: loss {total / max(seen, 1):.4f}  val {score:.4f}", flush=True)
        if score > best_score:
            best_score, best_epoch, stale = score, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            stale += 1
            if stale >= patience:
                break
        if trained is not None:
            model.load_state_dict(trained)
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return TrainResult(
        model, best_epoch, round(best_score, 4), history, round(time.perf_counter() - started, 1)
    )


def make_optimizers(model: nn.Module, lr: float, weight_decay: float) -> list[torch.optim.Optimizer]:
    """SparseAdam for sparse embedding tables (only touched rows move), AdamW for everything else."""
    sparse: list[nn.Parameter] = []
    dense: list[nn.Parameter] = []
    for module in model.modules():
        is_sparse = isinstance(module, nn.Embedding | nn.EmbeddingBag) and module.sparse
        for p in module.parameters(recurse=False):
            if p.requires_grad:
                (sparse if is_sparse else dense).append(p)
    optimizers: list[torch.optim.Optimizer] = []
    if sparse:
        optimizers.append(torch.optim.SparseAdam(sparse, lr=lr))
    if dense:
        optimizers.append(torch.optim.AdamW(dense, lr=lr, weight_decay=weight_decay))
    return optimizers


def fit_temperature(model: nn.Module, vals: Sequence[TextSet]) -> float:
    """Temperature minimising validation NLL (3-class rows; pos-vs-neg NLL for polarity-only rows)."""
    logits, labels, polar = [], [], []
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for val in vals:
            for start in range(0, len(val), 1024):
                idx = np.arange(start, min(start + 1024, len(val)))
                logits.append(model(*val.batch(idx)))
            labels.append(torch.from_numpy(val.labels))
            polar.append(torch.from_numpy(val.polar))
    model.train(was_training)
    z, y, p = torch.cat(logits), torch.cat(labels), torch.cat(polar)
    ones = torch.ones(len(y))
    best_t, best_nll = 1.0, math.inf
    for t in np.exp(np.linspace(np.log(0.3), np.log(5.0), 61)):
        nll = float(loss_fn(z / float(t), y, ones, p, torch.ones(3)))
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return round(best_t, 4)


def set_seeds(seed: int) -> None:
    """Seed python, numpy and torch (training is single-process, so this makes runs repeatable)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# ---------------------------------------------------------------- data, models and runs


def lexicon() -> dict[str, float]:
    """VADER's lexicon (`vader_lexicon.txt` in the vaderSentiment package): token -> mean valence (-4..4)."""
    from importlib.resources import files

    out: dict[str, float] = {}
    text = files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            out[parts[0]] = float(parts[1])
    return out


def valence_table(config: FeatureConfig, lex: dict[str, float], *, negated: bool = True) -> torch.Tensor:
    """Per-row lexicon valence `(rows, 2)` = (positive part, negative part) / 4.

    Rows: words, then bigrams (zero), then negated words (valence times VADER's -0.74) when `negated`.
    """
    v = np.array([lex.get(w, 0.0) for w in config.vocab], dtype=np.float32) / 4.0
    plain = np.stack([np.maximum(v, 0), np.maximum(-v, 0)], axis=1)
    if not negated:
        return torch.from_numpy(plain)
    flipped = v * VADER_NEGATION_SCALAR
    neg_rows = np.stack([np.maximum(flipped, 0), np.maximum(-flipped, 0)], axis=1)
    bigram_rows = np.zeros((len(config.bigrams), 2), dtype=np.float32)
    return torch.from_numpy(np.concatenate([plain, bigram_rows, neg_rows]).astype(np.float32))


@dataclass
class Corpus:
    """Frames and their sentence tokens for every training domain and split, tokenised once and reused."""

    frames: dict[str, dict[str, pd.DataFrame]]  # domain -> split -> frame
    tokens: dict[str, dict[str, list[list[list[str]]]]]  # domain -> split -> per text, per sentence
    stopwords: frozenset[str]
    language: str = "english"


def tokenizer(config: TrainConfig | None = None, language: str = "english") -> Featurizer:
    """A featurizer without vocabulary: the sentence split, caps and tokens of training (and serving)."""
    stop = stopword_set(language)
    caps = FeatureConfig(vocab=[], bigrams=[], stopwords=sorted(stop), language=language)
    if config is not None:
        caps.max_sentences = config.max_sentences
    return Featurizer(caps)


def load_corpus(config: TrainConfig, limit: int | None = None) -> Corpus:
    """Load, split and tokenise the training corpora of `config.domains` (all three when none is left
    out, so leave-one-corpus-out runs can reuse it); `limit` keeps a seeded sample of each split.

    IMDB's training split is subsampled to `config.imdb_train_rows` (seeded) before tokenising.
    """
    frames = corpora.load_splits(tuple(d for d in TRAIN_DOMAINS if d in corpora.DOMAINS))
    frames["clothing"] = reviews_data.clothing_splits()
    words = tokenizer(config)
    tokens: dict[str, dict[str, list[list[list[str]]]]] = {}
    for domain, splits in frames.items():
        tokens[domain] = {}
        for name, frame in list(splits.items()):
            cap = (
                limit
                if limit is not None
                else config.imdb_train_rows
                if (domain, name) == ("imdb", "train")
                else None
            )
            if cap is not None and len(frame) > cap:
                frame = frame.sample(n=cap, random_state=config.seed).reset_index(drop=True)
                splits[name] = frame
            tokens[domain][name] = [words.sentence_tokens(t) for t in frame["text"]]
    return Corpus(frames, tokens, words.stopwords)


def domain_weights(corpus: Corpus, config: TrainConfig, domains: Sequence[str]) -> dict[str, float]:
    """Scale factors so every training domain contributes the same total weight, times `domain_boost`."""
    sizes = {d: min(len(corpus.frames[d]["train"]), config.max_train_per_domain or 10**9) for d in domains}
    total = sum(sizes.values())
    return {d: total / (len(domains) * n) * config.domain_boost.get(d, 1.0) for d, n in sizes.items()}


@dataclass
class Run:
    """One trained model with its features, calibration and metrics."""

    config: TrainConfig
    features: FeatureConfig
    featurizer: Featurizer
    scorer: Scorer  # the network with temperature and the chosen mixed band
    result: TrainResult
    temperature: float
    band: dict  # the mixed-band sweep on validation data and the choice
    metrics: dict[str, dict[str, object]]  # "domain/split" -> metrics (val and test of the corpus)
    predict_ms_per_1k: float = 0.0


def build_network(config: TrainConfig, features: FeatureConfig, valence: torch.Tensor) -> Network:
    """The untrained network `config.arch` names, over `features`' table."""
    if config.arch == "mil":
        return HierModel(
            HierConfig(
                features.n_features,
                dim=config.dim,
                attention_dim=config.attention_dim,
                prior_weight=config.sentence_prior_weight,
                doc_prior_weight=config.prior_weight,
                doc_bag=config.doc_bag,
                context_attention=config.context_attention,
            ),
            valence,
        )
    if config.arch == "bag":
        return BagModel(
            BagConfig(features.n_features, dim=config.dim, prior_weight=config.prior_weight), valence
        )
    raise ValueError(f"unknown architecture {config.arch!r}; expected 'mil' or 'bag'")


def train_run(
    corpus: Corpus,
    config: TrainConfig,
    eval_domains: Sequence[str] | None = None,
    max_batches: int | None = None,
    log: bool = True,
) -> Run:
    """Features -> model -> loop -> calibration -> band -> evaluation for one :class:`TrainConfig`."""
    torch.set_num_threads(config.threads)
    set_seeds(config.seed)
    domains = list(config.domains)
    train_frames, train_tokens = {}, {}
    for d in domains:
        frame, toks = corpus.frames[d]["train"], corpus.tokens[d]["train"]
        if config.max_train_per_domain and len(frame) > config.max_train_per_domain:
            pick = np.random.default_rng(config.seed).permutation(len(frame))[: config.max_train_per_domain]
            frame, toks = frame.iloc[pick].reset_index(drop=True), [toks[i] for i in pick]
        train_frames[d], train_tokens[d] = frame, toks

    lex = lexicon()
    lex_words = [w for w in lex if tokenize(w) == [w]]  # only entries our tokeniser can produce
    features = build_config(
        ([t for sentence in doc for t in sentence] for d in domains for doc in train_tokens[d]),
        sorted(corpus.stopwords),
        extra_words=lex_words,
        min_count=config.min_count,
        max_words=config.max_words,
        min_bigram_count=config.min_bigram_count,
        max_bigrams=config.max_bigrams,
    )
    features.max_sentences = config.max_sentences
    featurizer = Featurizer(features)
    scale = domain_weights(corpus, config, domains)

    def encode(
        domain: str, split: str, frame: pd.DataFrame | None = None, toks: list | None = None
    ) -> TextSet:
        frame = corpus.frames[domain][split] if frame is None else frame
        toks = corpus.tokens[domain][split] if toks is None else toks
        polar = None
        if domain == "tweets" and config.tweets_polar and split != "test":
            keep = (frame["label"] != "neutral").to_numpy()
            frame, toks, polar = (
                frame[keep].reset_index(drop=True),
                [t for t, k in zip(toks, keep, strict=True) if k],
                True,
            )
        ts = make_textset(featurizer, toks, frame, polar=polar, name=f"{domain}/{split}")
        ts.weights = ts.weights * np.float32(scale.get(domain, 1.0))
        return ts

    train = concat_textsets([encode(d, "train", train_frames[d], train_tokens[d]) for d in domains], "train")
    train.word_dropout = config.word_dropout
    vals = [encode(d, "val") for d in domains]
    model = build_network(config, features, valence_table(features, lex))
    if log:
        n_params = sum(p.numel() for p in model.parameters())
        print(f"[{config.arch} on {'+'.join(domains)}] {len(train)} train rows, {n_params / 1e6:.2f}M params")
    result = train_loop(
        model,
        train,
        vals,
        epochs=config.epochs,
        batch_size=config.batch_size,
        lr=config.lr,
        weight_decay=config.weight_decay,
        patience=config.patience,
        seed=config.seed,
        average_every=config.average_every,
        embedding_l2=config.embedding_l2,
        class_weight=config.class_weight,
        max_batches=max_batches,
        log=log,
    )
    if not isinstance(result.model, HierModel | BagModel):
        raise TypeError(f"only a HierModel or BagModel ships, not a {type(result.model).__name__}")
    temperature = fit_temperature(result.model, vals)
    band = choose_band(result.model, temperature, vals, config)
    scorer = Scorer(result.model, temperature=temperature, band=band["chosen"]).eval()
    run_metrics: dict[str, dict[str, object]] = {}
    elapsed, scored = 0.0, 0
    for d in domains if eval_domains is None else eval_domains:
        for split in ("val", "test"):
            ts = encode(d, split)
            t0 = time.perf_counter()
            probs = predict_proba(scorer, ts)
            elapsed += time.perf_counter() - t0
            scored += len(ts)
            run_metrics[f"{d}/{split}"] = metrics(ts.labels, probs)
    per_1k = round(1000 * elapsed / max(scored, 1) * 1000, 2)
    return Run(config, features, featurizer, scorer, result, temperature, band, run_metrics, per_1k)


def choose_band(model: nn.Module, temperature: float, vals: Sequence[TextSet], config: TrainConfig) -> dict:
    """Pick the mixed band on validation data: best `config.band_domain` validation macro-F1 among
    `config.bands` while IMDB validation accuracy stays within 1.5 points of no band. Without that
    domain: no band when a 3-class corpus was trained on, else :data:`POLARITY_ONLY_BAND` (fixed a
    priori, never tuned on held-out data). Returns the sweep and the choice (recorded in the card)."""
    by_name = {v.name.split("/")[0]: v for v in vals}
    if config.band_domain not in by_name:
        three_class = any(not v.polar.all() for v in vals)
        return {"chosen": 0.0 if three_class else POLARITY_ONLY_BAND, "sweep": []}
    probs = {}
    for d in (config.band_domain, "imdb"):
        if d in by_name:
            p = torch.from_numpy(predict_proba(model, by_name[d]))
            probs[d] = torch.softmax(torch.log(p.clamp_min(1e-12)) / temperature, dim=1)
    sweep, best, base_imdb = [], (-1.0, 0.0), None
    for band in config.bands:
        row: dict[str, float] = {"band": band}
        f1 = metrics(by_name[config.band_domain].labels, mixed_band(probs[config.band_domain], band).numpy())
        row[f"{config.band_domain}_val_macro_f1"] = f1["macro_f1"]
        ok = True
        if "imdb" in probs:
            acc = metrics(by_name["imdb"].labels, mixed_band(probs["imdb"], band).numpy())["accuracy"]
            row["imdb_val_accuracy"] = acc
            base_imdb = acc if base_imdb is None else base_imdb
            ok = acc >= base_imdb - 0.015
        if ok and f1["macro_f1"] > best[0]:
            best = (f1["macro_f1"], band)
        sweep.append(row)
    return {"chosen": best[1], "sweep": sweep}


# ---------------------------------------------------------------- evaluation on real review sets


def review_metrics(labels: np.ndarray, probs: np.ndarray) -> dict[str, Any]:
    """:func:`metrics` plus pos/neg accuracy on the gold positive and negative rows, two ways:
    `posneg_binary` (P(pos) >= P(neg), the definition that reproduces issue 15's reference figures)
    and `posneg_strict` (the arg-max label; a neutral prediction is wrong)."""
    out = metrics(labels, probs)
    polar = labels != NEU
    if polar.any():
        truth = labels[polar] == POS
        out["posneg_binary"] = round(float(((probs[polar, POS] >= probs[polar, NEG]) == truth).mean()), 4)
        out["posneg_strict"] = round(float((probs[polar].argmax(axis=1) == labels[polar]).mean()), 4)
    return out


def evaluation_sets(corpus: Corpus | None = None) -> dict[str, pd.DataFrame]:
    """The benchmark's rows: clothing, IMDB and tweets test splits (from `corpus` when given), and the
    evaluation-only review sets (Alexa, Fine Food, COAR) whole. Review files that are missing are left
    out with a note on stderr, so the table still prints on a machine without them."""
    import sys

    def optional(load: Any, name: str) -> pd.DataFrame | None:
        try:
            return load(name)
        except FileNotFoundError as exc:
            print(f"note: {name} left out: {exc}", file=sys.stderr)
            return None

    frames = corpus.frames if corpus is not None else None
    general = frames if frames is not None else corpora.load_splits(("tweets", "imdb"))
    clothing = (
        frames["clothing"]["test"]
        if frames is not None and "clothing" in frames
        else optional(lambda _: reviews_data.clothing_splits()["test"], "clothing")
    )
    candidates = {
        "clothing": clothing,
        "alexa": optional(reviews_data.load_eval_set, "alexa"),
        "finefood": optional(reviews_data.load_eval_set, "finefood"),
        "imdb": general["imdb"]["test"],
        "tweets": general["tweets"]["test"],
        "coar": optional(reviews_data.load_eval_set, "coar"),
    }
    return {name: frame for name, frame in candidates.items() if frame is not None}


def scorer_proba(
    scorer: nn.Module, featurizer: Featurizer, texts: Sequence[str], batch: int = 2048
) -> np.ndarray:
    """Document probabilities of an eager :class:`Scorer` on raw texts (the serving featurisation)."""
    parts = []
    with torch.no_grad():
        for start in range(0, len(texts), batch):
            enc = featurizer.encode(texts[start : start + batch])
            parts.append(scorer(*(torch.from_numpy(a) for a in enc))[0].numpy())
    return np.concatenate(parts) if parts else np.zeros((0, 3))


def review_table(score: Any, sets: dict[str, pd.DataFrame]) -> dict[str, dict[str, object]]:
    """`review_metrics` of `score(texts) -> probabilities` on every set."""
    return {
        name: review_metrics(frame["label"].map(LABEL_ID).to_numpy(np.int64), score(frame["text"].tolist()))
        for name, frame in sets.items()
    }


# ---------------------------------------------------------------- evaluation of a shipped artifact


def evaluate_predictor(predictor: object, frame: pd.DataFrame, batch_size: int = 2048) -> dict[str, Any]:
    """Metrics of a loaded :class:`core.inference.predictor.Predictor` on a labelled frame (text, label).

    Every text is scored (texts without a feature get the network's answer for an empty text, not
    masked), exactly as the model card's figures were computed; the MLOps gate test calls this on the
    committed artifact.
    """
    texts = frame["text"].tolist()
    parts = []
    for start in range(0, len(texts), batch_size):
        encoded = predictor.featurizer.encode(texts[start : start + batch_size])  # type: ignore[attr-defined]
        parts.append(predictor.score_encoded(encoded)[0])  # type: ignore[attr-defined]
    probs = np.concatenate(parts) if parts else np.zeros((0, 3))
    return review_metrics(frame["label"].map(LABEL_ID).to_numpy(np.int64), probs)


def summary(m: dict[str, object]) -> dict[str, Any]:
    """The headline numbers of a metrics dict."""
    keys = ("n", "accuracy", "macro_f1", "polarity_accuracy", "posneg_binary", "posneg_strict")
    return {k: m[k] for k in keys if k in m}


def compare_candidates(
    corpus: Corpus,
    base: TrainConfig,
    final: Run,
    sets: dict[str, pd.DataFrame],
    max_batches: int | None = None,
) -> dict[str, dict]:
    """Every candidate architecture trained on the same recipe, scored on the benchmark sets.

    The final (shipped) run is one candidate; the bag model is retrained with the same data mix and
    vocabulary rule. Figures: the review table, training seconds, parameters.
    """
    out: dict[str, dict] = {}
    for arch in ("bag", "mil"):
        run = (
            final
            if arch == base.arch
            else train_run(corpus, replace(base, arch=arch), max_batches=max_batches)
        )
        out[arch] = {
            "train_seconds": run.result.seconds,
            "parameters": sum(p.numel() for p in run.result.model.parameters()),
            "band": run.band["chosen"],
            "review_sets": {
                k: summary(v)
                for k, v in review_table(
                    lambda t, r=run: scorer_proba(r.scorer, r.featurizer, t), sets
                ).items()
            },
        }
    return out


def split_sizes(corpus: Corpus) -> dict[str, dict[str, int]]:
    """Rows per domain and split (recorded in the model card)."""
    return {d: {s: len(f) for s, f in splits.items()} for d, splits in corpus.frames.items()}


def leave_one_corpus_out(
    corpus: Corpus, config: TrainConfig, max_batches: int | None = None
) -> dict[str, dict]:
    """Train without each training corpus in turn and test on its test split: how the recipe does on
    text from a source it never saw (the issue's selection criterion, with the evaluation-only sets)."""
    out: dict[str, dict] = {}
    for held in config.domains:
        domains = tuple(d for d in config.domains if d != held)
        run = train_run(
            corpus, replace(config, domains=domains), eval_domains=(held,), max_batches=max_batches
        )
        ts_frame = corpus.frames[held]["test"]
        probs = scorer_proba(run.scorer, run.featurizer, ts_frame["text"].tolist())
        out[f"trained_without_{held}/{held}/test"] = review_metrics(
            ts_frame["label"].map(LABEL_ID).to_numpy(np.int64), probs
        )
    return out


# ---------------------------------------------------------------- export and evaluation of the artifact


def export_base(final: Run, out_dir: Path) -> str:
    """Export the final model (TorchScript + features.json) and a provisional card with its version.

    The version is `base-<date>-<first 8 hex digits of sentiment.pt's sha256>`; the provisional card
    lets the product's own loader read the directory before the full card is written.
    """
    export(final.scorer, final.features, out_dir)
    version = f"base-{time.strftime('%Y%m%d')}-{corpora.sha256_file(out_dir / 'sentiment.pt')[:8]}"
    (out_dir / "model_card.json").write_text(json.dumps({"version": version}))
    return version


def evaluate_shipped(
    out_dir: Path, corpus: Corpus, sets: dict[str, pd.DataFrame]
) -> tuple[dict[str, dict], dict[str, dict], dict[str, float]]:
    """What ships, through the product's own loader: held-out test metrics per training corpus, the
    review-set table, and speed."""
    shipped = Predictor.load(out_dir)
    in_domain = {f"{d}/test": evaluate_predictor(shipped, corpus.frames[d]["test"]) for d in corpus.frames}
    real = {name: evaluate_predictor(shipped, frame) for name, frame in sets.items()}
    return in_domain, real, measure_speed(shipped, corpus)


def measure_speed(predictor: Predictor, corpus: Corpus) -> dict[str, float]:
    """Featurise + score throughput of the shipped model on each corpus' test texts (one process)."""
    out = {}
    for d, frame in corpus.frames.items():
        texts = frame["test"]["text"].tolist()[:2000]
        t0 = time.perf_counter()
        predictor.predict_proba(texts)
        out[f"{d}_texts_per_second"] = round(len(texts) / max(time.perf_counter() - t0, 1e-9), 1)
    return out
