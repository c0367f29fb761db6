"""The training library: data preparation, the training loop, evaluation, temperature fitting, export.

`models/train.py` (`make train`) tells the story with these pieces; `models/card.py` writes the card.

- **Data**: :func:`load_corpus` loads both corpora with their seeded 80/10/10 splits per domain
  (`models.data`) and tokenises them once (`core.nlp.text.tokenize` via `core.nlp.features`);
  :func:`train_run` builds a vocabulary and bigram list from the training split only, plus the VADER
  lexicon words.
- **Loop**: :func:`train_loop` (class-weighted loss, weight averaging, early stopping on validation).
- **Evaluation**: :func:`metrics`, :func:`evaluate`, :func:`choose_band` (the mixed band, on validation
  data), :func:`compare_architectures` (bag vs CNN), :func:`leave_one_domain_out`, and
  :func:`evaluate_predictor` / :func:`measure_speed` on the exported artifact.
- **Calibration**: :func:`fit_temperature` on validation data.
- **Export**: :func:`export_base` (TorchScript + features.json through :func:`models.export.export`).

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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import AveragedModel

from core.inference.predictor import Predictor
from core.nlp.features import FeatureConfig, Featurizer, build_config, cap_text, cap_tokens
from core.nlp.text import stopword_set, tokenize
from models import data as corpora
from models.export import export
from models.model import NEG, NEU, POS, BagConfig, BagModel, CNNConfig, CNNModel, Scorer, mixed_band

LABELS = ("negative", "neutral", "positive")
LABEL_ID = {name: i for i, name in enumerate(LABELS)}
VADER_NEGATION_SCALAR = -0.74  # VADER's own factor for a negated lexicon word
POLARITY_ONLY_BAND = 0.3  # mixed band for models trained without any neutral label (fixed a priori)


@dataclass
class TrainConfig:
    """Settings of one training run; all recorded in the model card."""

    arch: str = "bag"  # "bag" (fastText-style, shipped) or "cnn"
    domains: tuple[str, ...] = ("tweets", "imdb")  # corpora used for training and validation
    epochs: int = 5  # upper bound; early stopping usually ends sooner (best epoch is 1-2)
    patience: int = 1  # epochs without validation improvement before stopping
    batch_size: int = 64  # small batches suit the sparse bag model
    lr: float = 5e-3  # Adam learning rate (SparseAdam for the embedding table)
    weight_decay: float = 0.0  # embeddings are sparse-ish; decay hurt rare words in early tries
    seed: int = 13  # python, numpy and torch seeds
    dim: int = 32  # bag model embedding width
    prior_weight: float = 8.0  # bag model: pseudo-count of the learned "no evidence" vector (BagConfig)
    cnn_max_len: int = 128  # tokens the CNN sees (comparison only)
    max_train_per_domain: int | None = None  # subsample for quick comparisons
    tweets_boost: float = 1.5  # extra weight on the tweets domain after equalising the domains
    band: float = 0.3  # mixed band (models.model.mixed_band); see the model card for the choice
    # Weight averaging (SWA): the running mean of the weights every this many batches from half-way
    # through epoch 1 is what is validated and kept; None trains and keeps the plain weights.
    average_every: int | None = 200
    # bag model: L2 penalty on the embedding rows each batch looks up (BagModel.row_penalty); chosen
    # on validation macro-F1 among 0, 0.05, 0.1, 0.2, 0.3 over three seeds
    embedding_l2: float = 0.05
    threads: int = 2  # torch intra-op threads (the machine has 2 cores)


@dataclass
class TextSet:
    """Encoded examples plus labels and loss weights; what :func:`train_loop` and :func:`evaluate` consume.

    `polar` marks examples that only know positive vs negative (IMDB, star ratings without a middle):
    their loss ignores the neutral class, so long texts are not taught "never neutral".
    """

    labels: np.ndarray  # (n,) int64 class ids (0 negative, 1 neutral, 2 positive)
    weights: np.ndarray  # (n,) float32 loss weight per example
    polar: np.ndarray  # (n,) bool: polarity-only example
    ids: np.ndarray  # bag: flat feature ids; cnn: (n, max_len) padded word ids
    offsets: np.ndarray | None  # bag: (n,) start of each example in `ids`; None for cnn
    name: str = ""  # e.g. "tweets/test"

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def batch(self, idx: np.ndarray) -> tuple[torch.Tensor, ...]:
        """Model inputs for examples `idx`: `(ids, offsets)` for the bag model, `(tokens,)` for the CNN."""
        if self.offsets is None:
            return (torch.from_numpy(self.ids[idx]),)
        ends = np.append(self.offsets[1:], self.ids.shape[0])
        parts = [self.ids[self.offsets[i] : ends[i]] for i in idx]
        lengths = np.fromiter((p.shape[0] for p in parts), dtype=np.int64, count=len(parts))
        offsets = np.zeros(len(parts), dtype=np.int64)
        np.cumsum(lengths[:-1], out=offsets[1:])
        flat = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return torch.from_numpy(flat), torch.from_numpy(offsets)


def make_textset(
    featurizer: Featurizer,
    token_lists: Sequence[list[str]],
    frame: pd.DataFrame,
    *,
    arch: str = "bag",
    max_len: int = 128,
    polar: bool | None = None,
    name: str = "",
) -> TextSet:
    """Encode pre-tokenised texts of `frame` (columns label, weight, domain) into a :class:`TextSet`.

    :param polar: force polarity-only loss on/off; default: on for IMDB rows.
    """
    get = featurizer.index.get
    per_text = [[get(t, 1) for t in tokens] for tokens in token_lists]
    lengths = np.fromiter((len(x) for x in per_text), dtype=np.int64, count=len(per_text))
    flat = np.fromiter((i for x in per_text for i in x), dtype=np.int64, count=int(lengths.sum()))
    if arch == "bag":
        ids, offsets = featurizer.encode_word_ids(flat, lengths)
    else:
        ids = np.zeros((len(per_text), max_len), dtype=np.int64)
        for row, x in enumerate(per_text):
            ids[row, : min(len(x), max_len)] = x[:max_len]
        offsets = None
    is_polar = (frame["domain"] == "imdb").to_numpy() if polar is None else np.full(len(frame), polar)
    return TextSet(
        labels=frame["label"].map(LABEL_ID).to_numpy(np.int64),
        weights=frame["weight"].to_numpy(np.float32),
        polar=is_polar,
        ids=ids,
        offsets=offsets,
        name=name,
    )


def concat_textsets(sets: Sequence[TextSet], name: str = "") -> TextSet:
    """One :class:`TextSet` from several of the same architecture."""
    if sets[0].offsets is None:
        ids, offsets = np.concatenate([s.ids for s in sets]), None
    else:
        shift = np.cumsum([0] + [s.ids.shape[0] for s in sets[:-1]])
        ids = np.concatenate([s.ids for s in sets])
        offsets = np.concatenate([s.offsets + k for s, k in zip(sets, shift, strict=True)])
    return TextSet(
        labels=np.concatenate([s.labels for s in sets]),
        weights=np.concatenate([s.weights for s in sets]),
        polar=np.concatenate([s.polar for s in sets]),
        ids=ids,
        offsets=offsets,
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
    """Softmax probabilities `(n, 3)` of a network (eager or a :class:`Scorer`), in eval mode."""
    was_training = model.training
    model.eval()
    out = []
    for start in range(0, len(data), batch_size):
        idx = np.arange(start, min(start + batch_size, len(data)))
        result = model(*data.batch(idx))
        out.append(result if isinstance(model, Scorer) else torch.softmax(result, dim=1))
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
    max_batches: int | None = None,
    log: bool = True,
) -> TrainResult:
    """Train `model` on `train` with AdamW, class-weighted loss and early stopping on `vals`.

    Class weights are inverse class frequencies of the 3-class (non-polar) training rows, scaled into
    each row's weight together with the per-example `weights`. The best epoch's weights are restored.

    :param model: a :class:`~models.model.BagModel` or :class:`~models.model.CNNModel` (or anything
        taking `train.batch(...)` and returning `(batch, 3)` logits).
    :param vals: validation sets; the early-stopping score is their mean macro-F1 (:func:`selection_score`).
    :param average_every: if set, stochastic weight averaging (torch's `AveragedModel`, Izmailov et
        al. 2018): a running mean of the weights, taken every this many batches from half-way through
        the first epoch, is what each epoch is judged on and what is kept, while training itself goes
        on from the plain weights. The mean is a flatter solution than any single step, and steadier
        from seed to seed.
    :param embedding_l2: weight of the model's `row_penalty` (the bag model's L2 on the embedding
        rows a batch uses) in the loss; 0 leaves it out.
    :param max_batches: stop each epoch after this many batches (the dry run uses 1).
    :returns: the best model and the history.
    """
    started = time.perf_counter()
    set_seeds(seed)
    rng = np.random.default_rng(seed)
    three = train.labels[~train.polar]
    counts = np.bincount(three, minlength=3).astype(np.float64)
    class_weight = np.where(counts > 0, counts.sum() / (3 * np.maximum(counts, 1)), 1.0)
    class_weight_t = torch.tensor(class_weight, dtype=torch.float32)
    optimizers = make_optimizers(model, lr, weight_decay)
    if embedding_l2 and not isinstance(model, BagModel):
        raise TypeError(f"embedding_l2 needs a BagModel (its row_penalty), not {type(model).__name__}")
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
            if embedding_l2 and isinstance(model, BagModel):
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
    """Frames and their token lists for every domain and split, tokenised once and reused by every run."""

    frames: dict[str, dict[str, pd.DataFrame]]  # domain -> split -> frame
    tokens: dict[str, dict[str, list[list[str]]]]  # domain -> split -> tokens per text
    stopwords: frozenset[str]
    language: str = "english"


def load_corpus(domains: Sequence[str] = corpora.DOMAINS, limit: int | None = None, seed: int = 13) -> Corpus:
    """Load, split and tokenise the corpora; `limit` keeps a stratified-by-shuffle head of each split."""
    stop = stopword_set("english")
    caps = FeatureConfig(vocab=[], bigrams=[], stopwords=[])
    frames = corpora.load_splits(tuple(domains))
    tokens: dict[str, dict[str, list[list[str]]]] = {}
    for domain, splits in frames.items():
        tokens[domain] = {}
        for name, frame in list(splits.items()):
            if limit is not None and len(frame) > limit:
                frame = frame.sample(n=limit, random_state=seed).reset_index(drop=True)
                splits[name] = frame
            tokens[domain][name] = [
                cap_tokens(tokenize(cap_text(t, caps.max_chars), stop), caps.max_tokens)
                for t in frame["text"]
            ]
    return Corpus(frames, tokens, stop)


def domain_weights(corpus: Corpus, domains: Sequence[str], max_per_domain: int | None) -> dict[str, float]:
    """Scale factors so every training domain contributes the same total weight."""
    sizes = {d: min(len(corpus.frames[d]["train"]), max_per_domain or 10**9) for d in domains}
    total = sum(sizes.values())
    return {d: total / (len(domains) * n) for d, n in sizes.items()}


@dataclass
class Run:
    """One trained model with its features, calibration and metrics."""

    config: TrainConfig
    features: FeatureConfig
    featurizer: Featurizer
    scorer: Scorer | None  # None for the CNN, which is compared but never shipped
    result: TrainResult
    temperature: float
    metrics: dict[str, dict[str, object]]  # "domain/split" -> metrics
    predict_ms_per_1k: float = 0.0

    @property
    def shipped(self) -> Scorer:
        """The scorer to export: only a bag-model run has one."""
        if self.scorer is None:
            raise ValueError(f"a {self.config.arch} run is compared, never shipped: it has no scorer")
        return self.scorer


def train_run(
    corpus: Corpus,
    config: TrainConfig,
    eval_domains: Sequence[str] = corpora.DOMAINS,
    max_batches: int | None = None,
    log: bool = True,
) -> Run:
    """Features -> model -> loop -> calibration -> evaluation for one :class:`TrainConfig`."""
    torch.set_num_threads(config.threads)
    set_seeds(config.seed)
    domains = list(config.domains)
    rng_seed = config.seed
    train_frames, train_tokens = {}, {}
    for d in domains:
        frame, toks = corpus.frames[d]["train"], corpus.tokens[d]["train"]
        if config.max_train_per_domain and len(frame) > config.max_train_per_domain:
            pick = np.random.default_rng(rng_seed).permutation(len(frame))[: config.max_train_per_domain]
            frame, toks = frame.iloc[pick].reset_index(drop=True), [toks[i] for i in pick]
        train_frames[d], train_tokens[d] = frame, toks

    lex = lexicon()
    lex_words = [w for w in lex if tokenize(w) == [w]]  # only entries our tokeniser can produce
    features = build_config(
        (t for d in domains for t in train_tokens[d]), sorted(corpus.stopwords), extra_words=lex_words
    )
    featurizer = Featurizer(features)
    scale = domain_weights(corpus, domains, config.max_train_per_domain)
    if "tweets" in scale:
        scale["tweets"] *= config.tweets_boost

    def encode(domain: str, split: str, frame: pd.DataFrame, toks: list[list[str]]) -> TextSet:
        ts = make_textset(
            featurizer, toks, frame, arch=config.arch, max_len=config.cnn_max_len, name=f"{domain}/{split}"
        )
        ts.weights = ts.weights * np.float32(scale.get(domain, 1.0))
        return ts

    train = concat_textsets([encode(d, "train", train_frames[d], train_tokens[d]) for d in domains], "train")
    vals = [encode(d, "val", corpus.frames[d]["val"], corpus.tokens[d]["val"]) for d in domains]
    if config.arch == "bag":
        model: nn.Module = BagModel(
            BagConfig(features.n_features, dim=config.dim, prior_weight=config.prior_weight),
            valence_table(features, lex),
        )
    else:
        model = CNNModel(CNNConfig(features.n_words), valence_table(features, lex, negated=False))
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
        embedding_l2=config.embedding_l2 if config.arch == "bag" else 0.0,
        max_batches=max_batches,
        log=log,
    )
    temperature = fit_temperature(result.model, vals)
    scorer = Scorer(result.model, temperature=temperature, band=config.band) if config.arch == "bag" else None
    run_metrics: dict[str, dict[str, object]] = {}
    elapsed, scored = 0.0, 0
    for d in eval_domains:
        for split in ("val", "test"):
            ts = encode(d, split, corpus.frames[d][split], corpus.tokens[d][split])
            t0 = time.perf_counter()
            probs = predict_proba(result.model, ts)
            elapsed += time.perf_counter() - t0
            scored += len(ts)
            scaled = torch.softmax(torch.log(torch.from_numpy(probs).clamp_min(1e-12)) / temperature, dim=1)
            probs = mixed_band(scaled, config.band).numpy()
            run_metrics[f"{d}/{split}"] = metrics(ts.labels, probs)
    return Run(
        config,
        features,
        featurizer,
        scorer,
        result,
        temperature,
        run_metrics,
        round(1000 * elapsed / max(scored, 1) * 1000, 2),
    )


# ---------------------------------------------------------------- evaluation of a shipped artifact


def evaluate_predictor(predictor: object, frame: pd.DataFrame, batch_size: int = 2048) -> dict[str, object]:
    """Metrics of a loaded :class:`core.inference.predictor.Predictor` on a labelled frame (text, label).

    Every text is scored (no unscorable masking), exactly as the model card's figures were computed;
    the MLOps gate test calls this on the committed artifact.
    """
    texts = frame["text"].tolist()
    parts = []
    for start in range(0, len(texts), batch_size):
        ids, offsets = predictor.featurizer.encode(texts[start : start + batch_size])  # type: ignore[attr-defined]
        parts.append(predictor.score_encoded(ids, offsets))  # type: ignore[attr-defined]
    probs = np.concatenate(parts) if parts else np.zeros((0, 3))
    return metrics(frame["label"].map(LABEL_ID).to_numpy(np.int64), probs)


def choose_band(run: Run, corpus: Corpus, bands: Sequence[float] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)) -> dict:
    """Pick the mixed band on validation data: best tweet macro-F1 while IMDB accuracy stays >= 0.90
    and within 1.5 points of no band. Returns the sweep and the choice (recorded in the card)."""
    sweep, base_imdb = [], None
    probs = {}
    for d in ("tweets", "imdb"):
        ts = make_textset(run.featurizer, corpus.tokens[d]["val"], corpus.frames[d]["val"])
        p = torch.from_numpy(predict_proba(run.result.model, ts))
        probs[d] = (ts, torch.softmax(torch.log(p.clamp_min(1e-12)) / run.temperature, dim=1))
    best = (-1.0, 0.0)
    for band in bands:
        row = {"band": band}
        for d, (ts, p) in probs.items():
            m = metrics(ts.labels, mixed_band(p, band).numpy())
            row[f"{d}_val_macro_f1"], row[f"{d}_val_accuracy"] = m["macro_f1"], m["accuracy"]
        base_imdb = row["imdb_val_accuracy"] if base_imdb is None else base_imdb
        ok = row["imdb_val_accuracy"] >= max(0.90, base_imdb - 0.015)
        if ok and row["tweets_val_macro_f1"] > best[0]:
            best = (row["tweets_val_macro_f1"], band)
        sweep.append(row)
    return {"chosen": best[1], "sweep": sweep}


def summary(m: dict[str, object]) -> dict[str, object]:
    """The headline numbers of a metrics dict."""
    keys = ("n", "accuracy", "macro_f1", "polarity_accuracy")
    return {k: m[k] for k in keys if k in m}


def compare_architectures(
    corpus: Corpus, base: TrainConfig, per_domain: int, epochs: int, max_batches: int | None = None
) -> dict[str, dict]:
    """Bag vs CNN on the same subsample: in-domain test and leave-one-domain-out macro-F1, speed, size."""
    out: dict[str, dict] = {}
    for arch in ("bag", "cnn"):
        row: dict[str, object] = {}
        for domains, tag in (
            (("tweets", "imdb"), "both"),
            (("tweets",), "no_imdb"),
            (("imdb",), "no_tweets"),
        ):
            cfg = TrainConfig(
                **{
                    **asdict(base),
                    "arch": arch,
                    "domains": domains,
                    "epochs": epochs,
                    "patience": 1,
                    "max_train_per_domain": per_domain,
                    "band": 0.0,
                }
            )
            run = train_run(corpus, cfg, max_batches=max_batches)
            if tag == "both":
                row["tweets_test_macro_f1"] = run.metrics["tweets/test"]["macro_f1"]
                row["imdb_test_accuracy"] = run.metrics["imdb/test"]["accuracy"]
                row["train_seconds"] = run.result.seconds
                row["predict_ms_per_1k_texts"] = run.predict_ms_per_1k
                row["parameters"] = sum(p.numel() for p in run.result.model.parameters())
            elif tag == "no_imdb":
                row["lodo_imdb_test_polarity_accuracy"] = run.metrics["imdb/test"].get("polarity_accuracy")
                row["lodo_imdb_test_macro_f1"] = run.metrics["imdb/test"]["macro_f1"]
            else:
                row["lodo_tweets_test_macro_f1"] = run.metrics["tweets/test"]["macro_f1"]
        out[arch] = row
    return out


def split_sizes(corpus: Corpus) -> dict[str, dict[str, int]]:
    """Rows per domain and split (recorded in the model card)."""
    return {d: {s: len(f) for s, f in splits.items()} for d, splits in corpus.frames.items()}


def leave_one_domain_out(
    corpus: Corpus, config: TrainConfig, band: float, max_batches: int | None = None
) -> dict[str, dict]:
    """Train without IMDB and test on IMDB, then without tweets and test on tweets.

    A model that never saw a 3-class domain has no learned neutral: it relies on the mixed band, whose
    width for that case is fixed in advance (:data:`POLARITY_ONLY_BAND`), never tuned on held-out data.
    """
    lodo: dict[str, dict] = {}
    for domains, held in ((("tweets",), "imdb"), (("imdb",), "tweets")):
        polar_only = "tweets" not in domains
        cfg = TrainConfig(
            **{
                **asdict(config),
                "domains": domains,
                "band": POLARITY_ONLY_BAND if polar_only else band,
            }
        )
        run = train_run(corpus, cfg, eval_domains=(held,), max_batches=max_batches)
        lodo[f"trained_without_{held}/{held}/test"] = run.metrics[f"{held}/test"]
    return lodo


# ---------------------------------------------------------------- export and evaluation of the artifact


def export_base(final: Run, out_dir: Path) -> str:
    """Export the final model (TorchScript + features.json) and a provisional card with its version.

    The version is `base-<date>-<first 8 hex digits of sentiment.pt's sha256>`; the provisional card
    lets the product's own loader read the directory before the full card is written.
    """
    export(final.shipped, final.features, out_dir)
    version = f"base-{time.strftime('%Y%m%d')}-{corpora.sha256_file(out_dir / 'sentiment.pt')[:8]}"
    (out_dir / "model_card.json").write_text(json.dumps({"version": version}))
    return version


def evaluate_shipped(out_dir: Path, corpus: Corpus) -> tuple[dict[str, dict], dict[str, float]]:
    """Held-out test metrics per domain and speed of what ships, through the product's own loader."""
    shipped = Predictor.load(out_dir)
    in_domain = {f"{d}/test": evaluate_predictor(shipped, corpus.frames[d]["test"]) for d in corpus.frames}
    return in_domain, measure_speed(shipped, corpus)


def measure_speed(predictor: Predictor, corpus: Corpus) -> dict[str, float]:
    """Featurise + score throughput of the shipped model on the tweet and IMDB test texts (one process)."""
    out = {}
    for d, frame in corpus.frames.items():
        texts = frame["test"]["text"].tolist()[:2000]
        t0 = time.perf_counter()
        predictor.predict_proba(texts)
        out[f"{d}_texts_per_second"] = round(len(texts) / max(time.perf_counter() - t0, 1e-9), 1)
    return out
