"""Network surgery for adaptation: rebuild the base model from its TorchScript file, extend its feature
table with new words and bigrams, train only the touched rows (a compact copy), anchored to the base
weights (L2-SP), and write them back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from core.inference.predictor import FEATURES_FILE, MODEL_FILE, load_scorer
from core.inference.registry import MODEL_FILES, read_card
from core.nlp.features import FeatureConfig
from models.adapt.data import AdaptError
from models.adapt.options import AdaptOptions
from models.model import BagConfig, BagModel, HierConfig, HierModel, Network
from models.training import VADER_NEGATION_SCALAR, TextSet


@dataclass
class BaseModel:
    """The model adaptation starts from: eager weights rebuilt from its TorchScript file, plus metadata."""

    path: Path
    scripted: torch.jit.ScriptModule  # what serves today; scores the held-out reviews as "base"
    model: Network  # eager copy of the network, the starting point of fine-tuning
    features: FeatureConfig
    card: dict[str, Any]
    temperature: float
    band: float

    @property
    def version(self) -> str:
        """The version string predictions of this model carry."""
        return str(self.card.get("version", self.path.name))


def load_base(model_dir: Path) -> BaseModel:
    """Rebuild the eager network (:class:`HierModel` or :class:`BagModel`) of an exported model from its
    TorchScript parameters.

    The TorchScript file already holds every weight (`state_dict()` works on a loaded script module)
    and features.json holds the vocabulary, so nothing pickled is needed: parameter shapes give the
    table size, width and attention size, the scripted network's flags say whether it has a document
    bag, and temperature and band are read from the script module's attributes.
    """
    model_dir = Path(model_dir)
    missing = [name for name in MODEL_FILES if not (model_dir / name).is_file()]
    if missing:
        raise AdaptError(f"{model_dir} is not a model directory: {', '.join(missing)} missing")
    scripted = load_scorer(model_dir / MODEL_FILE)
    features = FeatureConfig.load(model_dir / FEATURES_FILE)
    card = read_card(model_dir)
    state = {k.removeprefix("model."): v for k, v in scripted.state_dict().items() if k.startswith("model.")}
    if "embedding.weight" not in state or "valence" not in state:
        raise AdaptError(f"{model_dir / MODEL_FILE} is not a network this release can adapt")
    rows, dim = state["embedding.weight"].shape
    if rows != features.n_features:
        raise AdaptError(f"{model_dir}: the model has {rows} feature rows but features.json describes "
                         f"{features.n_features}")  # fmt: skip
    model: Network
    if "sentence_head.weight" in state:
        hidden, attention_in = state["attention.0.weight"].shape
        config = HierConfig(
            rows,
            dim=dim,
            attention_dim=hidden,
            prior_weight=float(state["prior_weight"]),
            doc_prior_weight=float(state["doc_prior_weight"]),
            doc_bag=bool(getattr(scripted.model, "use_doc_bag", False)),
            context_attention=attention_in > dim + 3 + 5,
        )
        model = HierModel(config, state["valence"].clone())
    elif "head.weight" in state:
        model = BagModel(
            BagConfig(rows, dim=dim, prior_weight=float(state["prior_weight"])), state["valence"].clone()
        )
    else:
        raise AdaptError(f"{model_dir / MODEL_FILE} is not a network this release can adapt")
    model.load_state_dict(state)  # strict: a network with other parameters is refused, not half-loaded
    model.eval()
    temperature = float(getattr(scripted, "temperature", card.get("temperature", 1.0)))
    band = float(getattr(scripted, "band", card.get("band", 0.0)))
    return BaseModel(model_dir, scripted, model, features, card, temperature, band)


@torch.no_grad()
def scripted_proba(
    module: torch.jit.ScriptModule | nn.Module, data: TextSet, batch_size: int = 1024
) -> np.ndarray:
    """Document probabilities `(n, 3)` from an exported model (a Scorer: it returns `(doc_probs,
    sent_probs)` already)."""
    out = [
        module(*data.batch(np.arange(s, min(s + batch_size, len(data)))))[0]
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
    stopwords: Collection[str],
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
        max_sentences=base.max_sentences,
        max_sentence_chars=base.max_sentence_chars,
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


def with_table(model: Network, weight: torch.Tensor, valence: torch.Tensor) -> Network:
    """A network of `model`'s kind and settings over another embedding table (`weight`, `valence`), with
    `model`'s dense layers (heads, attention, prior) copied."""
    network: Network
    if isinstance(model, HierModel):
        network = HierModel(replace(model.config, n_features=weight.shape[0]), valence)
    else:
        network = BagModel(replace(model.config, n_features=weight.shape[0]), valence)
    with torch.no_grad():
        network.embedding.weight.copy_(weight)
    network.copy_dense_from(model)  # type: ignore[arg-type]
    return network


def extend_model(base: Network, ext: Extension, lex: dict[str, float]) -> Network:
    """The network over the extended table: old rows copied to their new positions, new rows zero.

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
    v_new, b_new = ext.features.n_words, len(ext.features.bigrams)
    first_new = len(ext.features.vocab) - len(ext.new_words)
    for offset, word in enumerate(ext.new_words):
        value = lex.get(word, 0.0) / 4.0
        if value:
            row = first_new + offset
            valence[row] = torch.tensor([max(value, 0.0), max(-value, 0.0)])
            flipped = value * VADER_NEGATION_SCALAR
            valence[v_new + b_new + row] = torch.tensor([max(flipped, 0.0), max(-flipped, 0.0)])
    return with_table(base, weight, valence)


# ---------------------------------------------------------------------------------------------- training


def compact_model(model: Network, rows: np.ndarray) -> Network:
    """The network over only the table rows `rows` (sorted), with their weights and valence."""
    index = torch.from_numpy(rows)
    return with_table(model, model.embedding.weight.detach()[index], model.valence[index])


def remap(data: TextSet, rows: np.ndarray, n_rows: int) -> TextSet:
    """`data` with feature ids renumbered into the compact table of `rows` (which must hold them all)."""
    lookup = np.full(n_rows, -1, dtype=np.int64)
    lookup[rows] = np.arange(len(rows))
    return replace(data, encoded=data.encoded._replace(ids=lookup[data.encoded.ids]))


def scatter_back(small: Network, model: Network, rows: np.ndarray) -> None:
    """Write the trained compact rows and dense layers (heads, attention, prior) back into the full model."""
    with torch.no_grad():
        model.embedding.weight[torch.from_numpy(rows)] = small.embedding.weight
    model.copy_dense_from(small)  # type: ignore[arg-type]


class Anchored(nn.Module):
    """Wraps the network during :func:`train_loop`: L2-SP toward the base weights, and progress ticks.

    Before each training batch, the embedding rows the batch uses and the dense layers (heads,
    attention, prior vector) are
    pulled toward their base values by the factor `1 - lr * strength` (decoupled weight decay, as AdamW
    does toward zero, but toward the starting point; lazily per touched row, as sparse optimisers
    decay). The embedding's sparse gradients keep each step's cost to the rows in the batch.
    """

    def __init__(
        self, model: Network, keep: float, batches: int, on_batch: Callable[[int, int], None]
    ) -> None:
        super().__init__()
        self.model = model
        self.keep = keep  # 1 - lr * strength; 1.0 disables the anchor
        self.anchor_embedding = model.embedding.weight.detach().clone()
        self.anchor_dense = [p.detach().clone() for p in model.dense_parameters()]
        self.batches = max(batches, 1)
        self.on_batch = on_batch
        self.done = 0

    @torch.no_grad()
    def _pull(self, ids: torch.Tensor) -> None:
        rows = torch.unique(ids)
        weight, anchor = self.model.embedding.weight, self.anchor_embedding
        weight[rows] = anchor[rows] + (weight[rows] - anchor[rows]) * self.keep
        for param, start in zip(self.model.dense_parameters(), self.anchor_dense, strict=True):
            param.copy_(start + (param - start) * self.keep)

    def forward(
        self, ids: torch.Tensor, sent_offsets: torch.Tensor, doc_offsets: torch.Tensor
    ) -> torch.Tensor:
        if self.training:
            if self.keep < 1.0:
                self._pull(ids)
            self.done += 1
            self.on_batch(self.done, self.batches)
        return self.model(ids, sent_offsets, doc_offsets)

    def row_penalty(self, ids: torch.Tensor) -> torch.Tensor:
        """The wrapped network's (unused by adaptation, which anchors instead)."""
        return self.model.row_penalty(ids)
