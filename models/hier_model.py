"""Sentence-aware network (issue 15): sentence bags, a shared sentence classifier, attention pooling.

A multiple-instance model in the spirit of MILNET (Angelidis and Lapata 2018): a review is a bag of
sentences, each sentence gets its own class logits, and a learned attention decides how much each
sentence speaks for the whole review. The verdict of "an hour a day on dog hair, a nightmare. Now it
takes ten minutes. Best purchase this year!" sits in its last sentence; a bag of words averages it away.

Input format (what :func:`encode_sentences` produces and the TorchScript module takes):

    ids            (n,)  flat feature ids (words, bigrams, negated words), grouped by sentence
    sent_offsets   (S,)  start of each sentence in `ids` (an `EmbeddingBag` offsets array)
    doc_offsets    (B,)  start of each document in the sentence list (every document has >= 1 sentence)

Per sentence: the bag's mean embedding (shrunk toward a learned "no evidence" vector by `prior_weight`
pseudo-counts) plus the three VADER lexicon features of `models.model.lexicon_features`. A shared
linear head gives sentence logits; an attention MLP over the sentence vector and position features
(relative position, is-first, is-last, log length, 1 / sentence count) weighs them (softmax within a
document) into document logits. With `doc_bag=True` a whole-document bag (the sum of the sentence bags,
so no second featurisation) adds its own logits: the document-level evidence the sentences share.

:class:`HierScorer` is what ships: `forward(ids, sent_offsets, doc_offsets) -> (doc_probs, sent_probs)`.

Class order everywhere: 0 = negative, 1 = neutral, 2 = positive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.nlp.features import _ID_CACHE_LIMIT, Featurizer
from models.model import N_CLASSES, lexicon_features, mixed_band

N_POSITION_FEATURES = 5
# A sentence ends at . ! ? (kept with it: "!" is a feature) followed by space, or at a line break or an
# HTML <br>. Found on the raw text (the tokeniser drops "."), so the token-level work is unchanged.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
SENTENCE_BREAK = "xxsentencebreak"  # a placeholder word (like core.nlp.text's xxurl) marking a sentence end
_BREAK_SPACED = f" {SENTENCE_BREAK} "
BREAK_ID = -2  # its id in Featurizer.word_ids output: never a table row, removed before encoding


@dataclass
class HierConfig:
    """Hyper-parameters of :class:`HierModel`."""

    n_features: int  # rows of the embedding table (FeatureConfig.n_features)
    dim: int = 32  # embedding width (32: the file stays well under 25 MB at 140k rows)
    attention_dim: int = 16  # hidden width of the attention MLP
    dropout: float = 0.25  # on sentence and document vectors, during training only
    prior_weight: float = 2.0  # pseudo-counts of the "no evidence" vector in each sentence's mean
    doc_prior_weight: float = 8.0  # the same for the whole-document bag
    doc_bag: bool = True  # add whole-document bag logits to the attention-pooled sentence logits
    # the attention also sees the document's mean sentence vector (HAN-style context), so whether a
    # sentence speaks for the review can depend on what the other sentences say
    context_attention: bool = False
    sparse: bool = True  # sparse embedding gradients


def split_sentences(text: str) -> list[str]:
    """Sentences of one text: split after . ! ? + whitespace, at line breaks and HTML `<br>`."""
    if "<" in text:
        text = _BR_RE.sub("\n", text)
    parts = _SENTENCE_END_RE.split(text)
    return [p for p in parts if p] or [text]


def pack_sentences(
    featurizer: Featurizer, words: np.ndarray, sent_lengths: np.ndarray, sents_per_doc: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From word ids per sentence to the model's `(ids, sent_offsets, doc_offsets)`.

    Sentences without a single known-or-unknown word are dropped, but every document keeps at least
    one sentence (possibly empty), so a document's row always exists. Bigrams and negation scope stop
    at sentence boundaries (each sentence is a "text" to :meth:`Featurizer.encode_word_ids`).
    """
    doc_of = np.repeat(np.arange(len(sents_per_doc)), sents_per_doc)
    first = np.zeros(len(sents_per_doc), dtype=np.int64)
    np.cumsum(sents_per_doc[:-1], out=first[1:])
    keep = sent_lengths > 0
    docs_with_words = np.zeros(len(sents_per_doc), dtype=bool)
    docs_with_words[doc_of[keep]] = True
    keep[first[~docs_with_words & (sents_per_doc > 0)]] = True  # an empty document keeps one empty sentence
    ids, sent_offsets = featurizer.encode_word_ids(words, sent_lengths[keep])
    kept_per_doc = np.bincount(doc_of[keep], minlength=len(sents_per_doc))
    doc_offsets = np.zeros(len(sents_per_doc), dtype=np.int64)
    np.cumsum(kept_per_doc[:-1], out=doc_offsets[1:])
    return ids, sent_offsets, doc_offsets


def encode_sentences(
    featurizer: Featurizer, texts: Sequence[str], max_sentences: int = 40
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Texts -> `(ids, sent_offsets, doc_offsets)` for :class:`HierScorer` (the serving path).

    One regex substitution per text marks sentence ends with :data:`SENTENCE_BREAK`, then the whole
    batch goes through the featurizer's ordinary cached :meth:`Featurizer.word_ids` pass (the marker
    maps to the sentinel id :data:`BREAK_ID`), and sentences are cut with NumPy at the sentinels. So the
    per-token Python work is the same as the bag model's; only one regex pass per text is added.
    A text keeps the first 3/4 and last 1/4 of `max_sentences` sentences, as `cap_tokens` does for tokens.
    """
    # the marker leads every text too, so even a text without a single token has one (empty) sentence
    marked = [
        SENTENCE_BREAK + " " + _SENTENCE_END_RE.sub(_BREAK_SPACED, _BR_RE.sub("\n", t) if "<" in t else t)
        for t in texts
    ]
    # prototype only: the product's Featurizer should own the marker. word_ids clears its cache when it
    # is over the limit, which would forget the marker, so clear it first here.
    cache = featurizer._ids_of_raw
    if len(cache) >= _ID_CACHE_LIMIT:
        cache.clear()
    cache[SENTENCE_BREAK] = (BREAK_ID,)
    words, lengths = featurizer.word_ids(marked)
    n_docs = len(texts)
    doc_of = np.repeat(np.arange(n_docs), lengths)
    is_break = words == BREAK_ID
    # a sentence starts at every marker; the marker itself is dropped below
    sentence_of = np.cumsum(is_break) - 1  # (tokens,) global sentence number
    n_sentences = int(is_break.sum())
    doc_of_sentence = doc_of[is_break]
    sents_per_doc = np.bincount(doc_of_sentence, minlength=n_docs)
    keep_tok = ~is_break
    sent_lengths = np.bincount(sentence_of[keep_tok], minlength=n_sentences)
    words = words[keep_tok]
    if sents_per_doc.max(initial=0) > max_sentences:
        first = np.zeros(n_docs, dtype=np.int64)
        np.cumsum(sents_per_doc[:-1], out=first[1:])
        pos = np.arange(n_sentences) - first[doc_of_sentence]
        count = sents_per_doc[doc_of_sentence]
        head = max_sentences * 3 // 4
        keep_sent = (pos < head) | (pos >= count - (max_sentences - head))
        words = words[np.repeat(keep_sent, sent_lengths)]
        sent_lengths = sent_lengths[keep_sent]
        sents_per_doc = np.bincount(doc_of_sentence[keep_sent], minlength=n_docs)
    return pack_sentences(featurizer, words, sent_lengths, sents_per_doc)


def _segments(
    sent_offsets: torch.Tensor, doc_offsets: torch.Tensor, n_ids: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per sentence: its document index, position in the document, sentence count and token count."""
    n_sent_total = sent_offsets.shape[0]
    doc_ends = torch.cat([doc_offsets[1:], torch.tensor([n_sent_total], dtype=doc_offsets.dtype)])
    sents_per_doc = doc_ends - doc_offsets  # (B,)
    doc_index = torch.repeat_interleave(torch.arange(doc_offsets.shape[0]), sents_per_doc)  # (S,)
    position = torch.arange(n_sent_total) - doc_offsets[doc_index]  # (S,)
    sent_ends = torch.cat([sent_offsets[1:], torch.tensor([n_ids], dtype=sent_offsets.dtype)])
    n_tokens = (sent_ends - sent_offsets).float()  # (S,) features per sentence
    return doc_index, position, sents_per_doc, n_tokens


class HierModel(nn.Module):
    """Sentence bags -> shared sentence head -> attention over sentences (+ optional document bag)."""

    def __init__(self, config: HierConfig, valence: torch.Tensor | None = None) -> None:
        """:param valence: `(n_features, 2)` positive/negative lexicon valence per row (zeros if None)."""
        super().__init__()
        self.config = config
        dim = config.dim
        self.embedding = nn.EmbeddingBag(config.n_features, dim, mode="sum", sparse=config.sparse)
        nn.init.uniform_(self.embedding.weight, -1.0 / dim, 1.0 / dim)
        self.prior = nn.Parameter(torch.zeros(dim))
        self.register_buffer("prior_weight", torch.tensor(float(config.prior_weight)))
        self.register_buffer("doc_prior_weight", torch.tensor(float(config.doc_prior_weight)))
        if valence is None:
            valence = torch.zeros(config.n_features, 2)
        self.register_buffer("valence", valence.float())
        self.dropout = nn.Dropout(config.dropout)
        self.sentence_head = nn.Linear(dim + 3, N_CLASSES)
        self.attention = nn.Sequential(
            nn.Linear(
                (dim + 3) * (2 if config.context_attention else 1) + N_POSITION_FEATURES, config.attention_dim
            ),
            nn.Tanh(),
            nn.Linear(config.attention_dim, 1),
        )
        self.use_doc_bag = config.doc_bag
        self.use_context = config.context_attention
        self.doc_head = nn.Linear(dim + 3, N_CLASSES)

    def forward(
        self, ids: torch.Tensor, sent_offsets: torch.Tensor, doc_offsets: torch.Tensor
    ) -> torch.Tensor:
        """Document logits `(B, 3)` (what training and `models.training`'s helpers consume)."""
        return self.forward_all(ids, sent_offsets, doc_offsets)[0]

    def forward_all(
        self, ids: torch.Tensor, sent_offsets: torch.Tensor, doc_offsets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Document logits `(B, 3)`, sentence logits `(S, 3)` and attention weights `(S,)`."""
        doc_index, position, sents_per_doc, n_tokens = _segments(sent_offsets, doc_offsets, ids.shape[0])
        n_docs = doc_offsets.shape[0]
        summed = self.embedding(ids, sent_offsets)  # (S, dim)
        lex = F.embedding_bag(ids, self.valence, sent_offsets, mode="sum")  # (S, 2)
        pooled = (summed + self.prior_weight * self.prior) / (n_tokens + self.prior_weight).clamp_min(1.0)[
            :, None
        ]
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
            doc_mean = torch.zeros(n_docs, sentence.shape[1]).index_add(0, doc_index, sentence)
            context = (doc_mean / sents_per_doc.clamp_min(1).float()[:, None])[doc_index]  # (S, dim + 3)
            scores = self.attention(torch.cat([sentence, context, where], dim=1)).squeeze(1)  # (S,)
        else:
            scores = self.attention(torch.cat([sentence, where], dim=1)).squeeze(1)  # (S,)
        # softmax within each document, on a padded (B, longest) grid
        longest = int(sents_per_doc.max().item()) if n_docs > 0 else 1
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
            k = self.doc_prior_weight
            doc_pooled = (doc_sum + k * self.prior) / (doc_n + k).clamp_min(1.0)[:, None]
            doc_vec = torch.cat([self.dropout(doc_pooled), lexicon_features(doc_lex, doc_n)], dim=1)
            doc_logits = doc_logits + self.doc_head(doc_vec)
        return doc_logits, sent_logits, weights

    def row_penalty(self, ids: torch.Tensor) -> torch.Tensor:
        """Mean squared norm of the embedding rows `ids` looks up (training only; see `BagModel`)."""
        return F.embedding(ids, self.embedding.weight, sparse=self.config.sparse).pow(2).sum(1).mean()


class HierScorer(nn.Module):
    """What ships: the network plus temperature and mixed band -> document and sentence probabilities."""

    def __init__(self, model: HierModel, temperature: float = 1.0, band: float = 0.0) -> None:
        super().__init__()
        self.model = model
        self.temperature = temperature
        self.band = band

    def forward(
        self, ids: torch.Tensor, sent_offsets: torch.Tensor, doc_offsets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """`(doc_probs (B, 3), sent_probs (S, 3))`, classes negative/neutral/positive.

        Sentence i of the batch belongs to document `d` with `doc_offsets[d] <= i < doc_offsets[d + 1]`.
        """
        doc_logits, sent_logits, _ = self.model.forward_all(ids, sent_offsets, doc_offsets)
        doc_probs = mixed_band(torch.softmax(doc_logits / self.temperature, dim=1), self.band)
        return doc_probs, torch.softmax(sent_logits / self.temperature, dim=1)


def script(scorer: HierScorer) -> torch.jit.ScriptModule:
    """TorchScript of a scorer (eval mode), ready for `torch.jit.save`."""
    scorer.eval()
    return torch.jit.script(scorer)
