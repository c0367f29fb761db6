"""The networks: a sentence-aware multiple-instance model (shipped) and a fastText-style bag model
(compared), plus the scoring head that ships.

Both read the same input, sentence bags from `core.nlp.features` (:class:`core.nlp.features.Encoded`):

    ids            (n,)  flat feature ids (words, bigrams, negated words), grouped by sentence
    sent_offsets   (S,)  start of each sentence in `ids` (an `EmbeddingBag` offsets array)
    doc_offsets    (B,)  start of each document in the sentence list

and both return document logits from `forward` and `(document logits, sentence logits)` from
`forward_all`. Both get *lexicon features*: the sums of positive and negative VADER valence of the
words (flipped and damped inside a negation scope), so words rare in our corpora but common in
product reviews still carry their known polarity. Neither is a transformer.

:class:`HierModel` (MILNET-style, Angelidis and Lapata 2018): a review is a bag of sentences, each
sentence gets its own class logits from a shared head, and a learned attention over the sentence
vector and its position decides how much each sentence speaks for the whole review. The verdict of
"an hour a day on dog hair, a nightmare. Now it takes ten minutes. Best purchase this year!" sits in
its last sentence; a bag of words averages it away.

:class:`BagModel`: one bag per document (the sum of its sentence bags); its sentence logits are the
same head applied to each sentence bag.

:class:`Scorer` is what ships: `forward(ids, sent_offsets, doc_offsets) -> (doc_probs, sent_probs)`.

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
N_POSITION_FEATURES = (
    5  # HierModel's attention sees: relative position, is-first, is-last, log length, 1/count
)


@dataclass
class HierConfig:
    """Hyper-parameters of :class:`HierModel`."""

    n_features: int  # rows of the embedding table (FeatureConfig.n_features)
    dim: int = 32  # embedding width (32: the file stays well under 25 MB at 140k rows)
    attention_dim: int = 16  # hidden width of the attention MLP
    dropout: float = 0.25  # on sentence and document vectors, during training only
    prior_weight: float = 2.0  # pseudo-counts of the "no evidence" vector in each sentence's mean
    doc_prior_weight: float = 8.0  # the same for the whole-document bag (doc_bag)
    doc_bag: bool = False  # add whole-document bag logits to the attention-pooled sentence logits
    # the attention also sees the document's mean sentence vector (HAN-style context), so whether a
    # sentence speaks for the review can depend on what the other sentences say
    context_attention: bool = False
    sparse: bool = True  # sparse embedding gradients


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


def lexicon_features(lex: torch.Tensor, n_tokens: torch.Tensor) -> torch.Tensor:
    """Turn per-text valence sums `(batch, 2)` (positive, negative) into 3 scale-free features.

    Log-compressed sums plus the net valence normalised by text length, so one strong word in a
    tweet and many in a long review are comparable.
    """
    net = (lex[:, 0:1] - lex[:, 1:2]) / torch.sqrt(n_tokens.unsqueeze(1) + 1.0)  # (batch, 1)
    return torch.cat([torch.log1p(lex), net], dim=1)  # (batch, 3)


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


def _pool(
    summed: torch.Tensor, n_tokens: torch.Tensor, prior: torch.Tensor, weight: torch.Tensor
) -> torch.Tensor:
    """`(sum + k * prior) / (n + k)`: the mean shrunk toward the learned "no evidence" vector
    (with k = 0 the plain mean, and 0 for an empty bag)."""
    return (summed + weight * prior) / (n_tokens + weight).clamp_min(1.0)[:, None]


def _bag_sizes(ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """Feature ids per bag `(bags,)` from EmbeddingBag offsets."""
    ends = torch.cat([offsets[1:], torch.tensor([ids.shape[0]], dtype=offsets.dtype)])
    return (ends - offsets).float()


class HierModel(nn.Module):
    """Sentence bags -> shared sentence head -> attention over sentences (+ optional document bag)."""

    if TYPE_CHECKING:  # buffers (register_buffer), typed as tensors; hidden from TorchScript, which
        prior_weight: torch.Tensor  # cannot read the postponed (string) annotations of this module
        doc_prior_weight: torch.Tensor
        valence: torch.Tensor

    def __init__(self, config: HierConfig, valence: torch.Tensor | None = None) -> None:
        """:param valence: `(n_features, 2)` positive/negative lexicon valence per row (zeros if None)."""
        super().__init__()
        self.config = config
        dim = config.dim
        self.embedding = nn.EmbeddingBag(config.n_features, dim, mode="sum", sparse=config.sparse)
        nn.init.uniform_(self.embedding.weight, -1.0 / dim, 1.0 / dim)
        self.prior = nn.Parameter(torch.zeros(dim))
        # buffers, not plain attributes, so the TorchScript file's state_dict carries them (adaptation)
        self.register_buffer("prior_weight", torch.tensor(float(config.prior_weight)))
        self.register_buffer("doc_prior_weight", torch.tensor(float(config.doc_prior_weight)))
        if valence is None:
            valence = torch.zeros(config.n_features, 2)
        self.register_buffer("valence", valence.float())  # (n_features, 2), fixed knowledge, not trained
        self.dropout = nn.Dropout(config.dropout)
        self.sentence_head = nn.Linear(dim + 3, N_CLASSES)
        attention_in = (dim + 3) * (2 if config.context_attention else 1) + N_POSITION_FEATURES
        self.attention = nn.Sequential(
            nn.Linear(attention_in, config.attention_dim), nn.Tanh(), nn.Linear(config.attention_dim, 1)
        )
        self.use_doc_bag = config.doc_bag
        self.use_context = config.context_attention
        self.doc_head = nn.Linear(dim + 3, N_CLASSES)  # used only with doc_bag

    def forward(
        self, ids: torch.Tensor, sent_offsets: torch.Tensor, doc_offsets: torch.Tensor
    ) -> torch.Tensor:
        """Document logits `(B, 3)` (what training consumes)."""
        return self.forward_all(ids, sent_offsets, doc_offsets)[0]

    def forward_all(
        self, ids: torch.Tensor, sent_offsets: torch.Tensor, doc_offsets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Document logits `(B, 3)` and sentence logits `(S, 3)`."""
        doc_logits, sent_logits, _ = self.forward_attention(ids, sent_offsets, doc_offsets)
        return doc_logits, sent_logits

    def forward_attention(
        self, ids: torch.Tensor, sent_offsets: torch.Tensor, doc_offsets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Document logits `(B, 3)`, sentence logits `(S, 3)` and attention weights `(S,)`."""
        n_docs, n_sent = doc_offsets.shape[0], sent_offsets.shape[0]
        doc_ends = torch.cat([doc_offsets[1:], torch.tensor([n_sent], dtype=doc_offsets.dtype)])
        sents_per_doc = doc_ends - doc_offsets  # (B,)
        doc_index = torch.repeat_interleave(torch.arange(n_docs), sents_per_doc)  # (S,)
        position = torch.arange(n_sent) - doc_offsets[doc_index]  # (S,)
        n_tokens = _bag_sizes(ids, sent_offsets)  # (S,)

        summed = self.embedding(ids, sent_offsets)  # (S, dim)
        lex = F.embedding_bag(ids, self.valence, sent_offsets, mode="sum")  # (S, 2)
        pooled = _pool(summed, n_tokens, self.prior, self.prior_weight)
        sentence = torch.cat([self.dropout(pooled), lexicon_features(lex, n_tokens)], dim=1)  # (S, dim + 3)
        sent_logits = self.sentence_head(sentence)  # (S, 3)

        count = sents_per_doc[doc_index].float()  # (S,)
        pos = position.float()
        where = torch.stack(
            [
                pos / (count - 1.0).clamp_min(1.0),
                (position == 0).float(),
                (pos == count - 1.0).float(),
                torch.log1p(n_tokens) / 4.0,
                1.0 / count,
            ],
            dim=1,
        )  # (S, 5)
        if self.use_context:
            doc_sum = torch.zeros(n_docs, sentence.shape[1]).index_add(0, doc_index, sentence)
            context = (doc_sum / sents_per_doc.clamp_min(1).float()[:, None])[doc_index]  # (S, dim + 3)
            scores = self.attention(torch.cat([sentence, context, where], dim=1)).squeeze(1)  # (S,)
        else:
            scores = self.attention(torch.cat([sentence, where], dim=1)).squeeze(1)  # (S,)
        # a sentence without features carries no evidence: (almost) no attention weight
        scores = torch.where(n_tokens > 0, scores, scores - 1e4)
        # softmax within each document, on a padded (B, longest) grid
        longest = max(int(sents_per_doc.max().item()), 1) if n_docs > 0 else 1
        slot = doc_index * longest + position
        grid = torch.full([n_docs * longest], float("-inf")).scatter(0, slot, scores)
        weights = torch.softmax(grid.view(n_docs, longest), dim=1).view(-1).gather(0, slot)  # (S,)
        doc_logits = torch.zeros(n_docs, sent_logits.shape[1]).index_add(
            0, doc_index, weights[:, None] * sent_logits
        )

        if self.use_doc_bag:
            doc_sum = torch.zeros(n_docs, summed.shape[1]).index_add(0, doc_index, summed)
            doc_lex = torch.zeros(n_docs, 2).index_add(0, doc_index, lex)
            doc_n = torch.zeros(n_docs).index_add(0, doc_index, n_tokens)
            doc_pooled = _pool(doc_sum, doc_n, self.prior, self.doc_prior_weight)
            doc_vec = torch.cat([self.dropout(doc_pooled), lexicon_features(doc_lex, doc_n)], dim=1)
            doc_logits = doc_logits + self.doc_head(doc_vec)
        return doc_logits, sent_logits, weights

    def row_penalty(self, ids: torch.Tensor) -> torch.Tensor:
        """Mean squared norm of the embedding rows `ids` looks up, one term per token (training only).

        Added to the loss it pulls a feature's vector toward zero each time the feature is used, so
        only a consistent pull from the labels keeps it large: topic words that merely co-occur with
        one label in one corpus ("minutes" in airline complaints) lean less. The gradient is sparse.
        """
        return F.embedding(ids, self.embedding.weight, sparse=self.config.sparse).pow(2).sum(1).mean()

    def dense_parameters(self) -> list[nn.Parameter]:
        """The parameters outside the embedding table: heads, attention and the prior vector."""
        return [
            *self.sentence_head.parameters(),
            *self.attention.parameters(),
            *self.doc_head.parameters(),
            self.prior,
        ]

    @torch.no_grad()
    def copy_dense_from(self, other: HierModel) -> None:
        """Take `other`'s heads, attention, prior vector and prior weights (the table is the caller's)."""
        for mine, theirs in zip(self.dense_parameters(), other.dense_parameters(), strict=True):
            mine.copy_(theirs)
        self.prior_weight.copy_(other.prior_weight)
        self.doc_prior_weight.copy_(other.doc_prior_weight)


class BagModel(nn.Module):
    """fastText-style classifier: mean of a document's word, bigram and negated-word embeddings (shrunk
    toward a learned prior vector by `prior_weight` pseudo-counts) -> linear layer."""

    if TYPE_CHECKING:  # buffers, as in HierModel
        prior_weight: torch.Tensor
        valence: torch.Tensor

    def __init__(self, config: BagConfig, valence: torch.Tensor | None = None) -> None:
        """:param valence: `(n_features, 2)` positive/negative lexicon valence per row (zeros if None)."""
        super().__init__()
        self.config = config
        self.embedding = nn.EmbeddingBag(config.n_features, config.dim, mode="sum", sparse=config.sparse)
        nn.init.uniform_(self.embedding.weight, -1.0 / config.dim, 1.0 / config.dim)
        self.prior = nn.Parameter(torch.zeros(config.dim))  # the "no evidence" text vector
        self.register_buffer("prior_weight", torch.tensor(float(config.prior_weight)))
        if valence is None:
            valence = torch.zeros(config.n_features, 2)
        self.register_buffer("valence", valence.float())  # (n_features, 2), fixed knowledge, not trained
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.dim + 3, N_CLASSES)

    def _logits(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        summed = self.embedding(ids, offsets)  # (bags, dim)
        lex = F.embedding_bag(ids, self.valence, offsets, mode="sum")  # (bags, 2)
        n_tokens = _bag_sizes(ids, offsets)
        pooled = _pool(summed, n_tokens, self.prior, self.prior_weight)
        return self.head(torch.cat([self.dropout(pooled), lexicon_features(lex, n_tokens)], dim=1))

    def forward(
        self, ids: torch.Tensor, sent_offsets: torch.Tensor, doc_offsets: torch.Tensor
    ) -> torch.Tensor:
        """Document logits `(B, 3)`: one bag per document, all its sentences together."""
        bounds = torch.cat([sent_offsets, torch.tensor([ids.shape[0]], dtype=sent_offsets.dtype)])
        return self._logits(ids, bounds[doc_offsets])

    def forward_all(
        self, ids: torch.Tensor, sent_offsets: torch.Tensor, doc_offsets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Document logits `(B, 3)` and sentence logits `(S, 3)` (the same head on each sentence's bag)."""
        return self.forward(ids, sent_offsets, doc_offsets), self._logits(ids, sent_offsets)

    def row_penalty(self, ids: torch.Tensor) -> torch.Tensor:
        """Mean squared norm of the embedding rows `ids` looks up (see :meth:`HierModel.row_penalty`)."""
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


Network = HierModel | BagModel


class Scorer(nn.Module):
    """What ships: a trained network plus calibration (temperature) and the mixed band -> probabilities."""

    def __init__(self, model: Network, temperature: float = 1.0, band: float = 0.0) -> None:
        super().__init__()
        self.model = model
        self.temperature = temperature  # fitted on validation data (models.training.fit_temperature)
        self.band = band  # see mixed_band; applied to documents only (a sentence is one opinion)

    def forward(
        self, ids: torch.Tensor, sent_offsets: torch.Tensor, doc_offsets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """`(doc_probs (B, 3), sent_probs (S, 3))`, classes negative/neutral/positive.

        Sentence j of the batch belongs to document d with `doc_offsets[d] <= j < doc_offsets[d + 1]`.
        """
        doc_logits, sent_logits = self.model.forward_all(ids, sent_offsets, doc_offsets)
        doc_probs = mixed_band(torch.softmax(doc_logits / self.temperature, dim=1), self.band)
        return doc_probs, torch.softmax(sent_logits / self.temperature, dim=1)
