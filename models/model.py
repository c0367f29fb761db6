"""The networks: a fastText-style bag model (shipped) and a small CNN (compared), plus the scoring head.

Both read the same feature configuration (`core.nlp.features`) and both get *lexicon features*: the sums
of positive and negative VADER valence of the words in a text (flipped and damped inside a negation
scope for the bag model), so words rare in our two corpora but common in product reviews still
carry their known polarity. Neither is a transformer.

Class order everywhere: 0 = negative, 1 = neutral, 2 = positive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import nn

N_CLASSES = 3  # negative, neutral, positive
NEG, NEU, POS = 0, 1, 2


@dataclass
class BagConfig:
    """Hyper-parameters of :class:`BagModel`."""

    n_features: int  # rows of the embedding table: words + bigrams + negated words (FeatureConfig.n_features)
    dim: int = 32  # embedding width; 32 keeps the shipped file well under 25 MB
    dropout: float = 0.25  # on the pooled text vector, during training only
    sparse: bool = True  # sparse embedding gradients: a step touches only the rows in its batch
    # Pseudo-count of a learned "no evidence" vector in every text's average. A plain mean gives one
    # word the full weight of a long review, so "It arrived." or "phone" came out 98-99 % sure; with
    # it, short texts lean toward what the model says about an empty text and long ones are unchanged.
    prior_weight: float = 0.0


@dataclass
class CNNConfig:
    """Hyper-parameters of :class:`CNNModel`."""

    n_words: int  # word vocabulary size V (FeatureConfig.n_words)
    dim: int = 64  # word embedding width
    channels: int = 128  # convolution filters per kernel width
    kernels: tuple[int, ...] = (2, 3, 5)  # n-gram widths the filters see
    dropout: float = 0.3  # on the pooled vector


def lexicon_features(lex: torch.Tensor, n_tokens: torch.Tensor) -> torch.Tensor:
    """Turn per-text valence sums `(batch, 2)` (positive, negative) into 3 scale-free features.

    Log-compressed sums plus the net valence normalised by text length, so one strong word in a
    tweet and many in a long review are comparable.
    """
    net = (lex[:, 0:1] - lex[:, 1:2]) / torch.sqrt(n_tokens.unsqueeze(1) + 1.0)  # (batch, 1)
    return torch.cat([torch.log1p(lex), net], dim=1)  # (batch, 3)


class BagModel(nn.Module):
    """fastText-style classifier: mean of word, bigram and negated-word embeddings (shrunk toward a
    learned prior vector by `prior_weight` pseudo-counts) -> linear layer."""

    if TYPE_CHECKING:  # buffers (register_buffer), typed as tensors; hidden from TorchScript, which
        prior_weight: torch.Tensor  # cannot read the postponed (string) annotations of this module
        valence: torch.Tensor

    def __init__(self, config: BagConfig, valence: torch.Tensor | None = None) -> None:
        """:param valence: `(n_features, 2)` positive/negative lexicon valence per row (zeros if None)."""
        super().__init__()
        self.config = config
        self.embedding = nn.EmbeddingBag(config.n_features, config.dim, mode="sum", sparse=config.sparse)
        nn.init.uniform_(self.embedding.weight, -1.0 / config.dim, 1.0 / config.dim)
        self.prior = nn.Parameter(torch.zeros(config.dim))  # the "no evidence" text vector
        # a buffer, not a plain attribute, so the TorchScript file's state_dict carries it (adaptation)
        self.register_buffer("prior_weight", torch.tensor(float(config.prior_weight)))
        if valence is None:
            valence = torch.zeros(config.n_features, 2)
        self.register_buffer("valence", valence.float())  # (n_features, 2), fixed knowledge, not trained
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.dim + 3, N_CLASSES)

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        """Logits `(batch, 3)` from flat feature ids `(n,)` and per-text start offsets `(batch,)`."""
        summed = self.embedding(ids, offsets)  # (batch, dim)
        lex = F.embedding_bag(ids, self.valence, offsets, mode="sum")  # (batch, 2)
        ends = torch.cat([offsets[1:], torch.tensor([ids.shape[0]], dtype=offsets.dtype)])
        n_tokens = (ends - offsets).float()  # (batch,)
        # (sum + k * prior) / (n + k); with k = 0 this is the plain mean (and 0 for an empty bag)
        pooled = (summed + self.prior_weight * self.prior) / (n_tokens + self.prior_weight).clamp_min(1.0)[
            :, None
        ]
        features = torch.cat([self.dropout(pooled), lexicon_features(lex, n_tokens)], dim=1)
        return self.head(features)  # (batch, 3)

    def row_penalty(self, ids: torch.Tensor) -> torch.Tensor:
        """Mean squared norm of the embedding rows `ids` looks up, one term per token (training only).

        Added to the loss it pulls a feature's vector toward zero each time the feature is used, so
        only a consistent pull from the labels keeps it large: topic words that merely co-occur with
        one label in one corpus ("minutes" in airline complaints) lean less. The gradient is sparse.
        """
        return F.embedding(ids, self.embedding.weight, sparse=self.config.sparse).pow(2).sum(1).mean()

    def dense_parameters(self) -> list[nn.Parameter]:
        """The parameters outside the embedding table: the head and the prior vector."""
        return [*self.head.parameters(), self.prior]

    @torch.no_grad()
    def copy_dense_from(self, other: BagModel) -> None:
        """Take `other`'s head, prior vector and prior weight (the table is the caller's business)."""
        for mine, theirs in zip(self.dense_parameters(), other.dense_parameters(), strict=True):
            mine.copy_(theirs)
        self.prior_weight.copy_(other.prior_weight)


class CNNModel(nn.Module):
    """Word-order-aware alternative: embeddings -> 1-D convolutions (widths 2/3/5) -> max-pool -> linear."""

    if TYPE_CHECKING:  # a buffer, as in BagModel
        valence: torch.Tensor

    def __init__(self, config: CNNConfig, valence: torch.Tensor | None = None) -> None:
        """:param valence: `(n_words, 2)` positive/negative lexicon valence per word id (zeros if None)."""
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.n_words, config.dim, padding_idx=0)
        self.convs = nn.ModuleList(
            nn.Conv1d(config.dim, config.channels, k, padding=k // 2) for k in config.kernels
        )
        if valence is None:
            valence = torch.zeros(config.n_words, 2)
        self.register_buffer("valence", valence.float())  # (n_words, 2)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.channels * len(config.kernels) + 3, N_CLASSES)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits `(batch, 3)` from padded word ids `(batch, time)` (0 = padding)."""
        mask = tokens != 0  # (batch, time)
        x = self.embedding(tokens).transpose(1, 2)  # (batch, dim, time)
        pooled = []
        for conv in self.convs:
            h = F.relu(conv(x))[:, :, : tokens.shape[1]]  # (batch, channels, time)
            h = h.masked_fill(~mask.unsqueeze(1), 0.0)  # relu output >= 0, so 0 never wins a real max
            pooled.append(h.max(dim=2).values)  # (batch, channels)
        lex = self.valence[tokens].sum(dim=1)  # (batch, 2)
        features = torch.cat(
            [self.dropout(torch.cat(pooled, dim=1)), lexicon_features(lex, mask.sum(1).float())], 1
        )
        return self.head(features)  # (batch, 3)


def mixed_band(probs: torch.Tensor, band: float) -> torch.Tensor:
    """Move polar mass to "neutral" when positive and negative evidence are nearly balanced.

    With `s = p_pos + p_neg` and `d = |p_pos - p_neg| / s`, a share `s * max(0, 1 - d / band)` moves
    from positive/negative (proportionally) to neutral. A 3-star "good screen but the battery is
    awful" review has high `s` but small `d`: it becomes neutral ("mixed"), which tweets' neutral
    ("no opinion") alone would not teach. `band = 0` disables it. Rows still sum to 1.
    """
    if band <= 0.0:
        return probs
    neg, neu, pos = probs[:, 0], probs[:, 1], probs[:, 2]
    s = (neg + pos).clamp_min(1e-9)
    d = (pos - neg).abs() / s
    moved = s * torch.clamp(1.0 - d / band, min=0.0)  # (batch,)
    keep = 1.0 - moved / s
    return torch.stack([neg * keep, neu + moved, pos * keep], dim=1)


class Scorer(nn.Module):
    """What ships: a trained network plus calibration (temperature) and the mixed band -> probabilities."""

    def __init__(self, model: nn.Module, temperature: float = 1.0, band: float = 0.0) -> None:
        super().__init__()
        self.model = model
        self.temperature = temperature  # fitted on validation data (train.fit_temperature)
        self.band = band  # see mixed_band

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        """Probabilities `(batch, 3)` (negative, neutral, positive) for a bag-model input."""
        probs = torch.softmax(self.model(ids, offsets) / self.temperature, dim=1)
        return mixed_band(probs, self.band)
