"""Training glue for the sentence-aware model (issue 15 prototype), reusing `models.training`'s loop and metrics.

`models.training.train_loop`, `predict_proba`, `fit_temperature` and `metrics` take any dataset whose
`batch(idx)` returns the network's inputs and any network returning `(batch, 3)` logits, so the
hierarchical model only needs :class:`SentTextSet` (sentence-grouped ids) and its encoder from
pre-tokenised sentences. Corpora are tokenised once per sentence (:func:`tokenize_docs`); a document's
tokens are its sentences' tokens in order, so the bag baseline and the vocabulary use the same tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from core.nlp.features import FeatureConfig, Featurizer, cap_text, cap_tokens
from core.nlp.text import tokenize
from models.hier_model import pack_sentences, split_sentences
from models.training import LABEL_ID, TextSet

MAX_SENTENCES = 40  # sentences kept per document (3/4 head, 1/4 tail); serving uses the same cap


def tokenize_docs(texts: Sequence[str], stopwords: frozenset[str]) -> list[list[list[str]]]:
    """Per document, per sentence, the model tokens (the same steps as `hier_model.encode_sentences`)."""
    max_chars = FeatureConfig(vocab=[], bigrams=[], stopwords=[]).max_chars
    return [
        [tokenize(s, stopwords) for s in cap_tokens(split_sentences(cap_text(t, max_chars)), MAX_SENTENCES)]
        for t in texts
    ]


@dataclass
class SentTextSet(TextSet):
    """A :class:`TextSet` whose `offsets` are sentence starts, plus where each document's sentences start."""

    doc_offsets: np.ndarray | None = None  # (n_docs,) start of each document in the sentence list
    # training only: share of feature ids dropped at random from each batch (word dropout), so the head
    # cannot lean on a few domain words and keeps using the lexicon features and the rest of the text
    word_dropout: float = 0.0
    seed: int = 13

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)

    def batch(self, idx: np.ndarray) -> tuple[torch.Tensor, ...]:
        """`(ids, sent_offsets, doc_offsets)` for documents `idx`."""
        assert self.offsets is not None and self.doc_offsets is not None
        n_sent = self.offsets.shape[0]
        sent_ends = np.append(self.offsets[1:], self.ids.shape[0])
        doc_ends = np.append(self.doc_offsets[1:], n_sent)
        sent_parts = [np.arange(self.doc_offsets[i], doc_ends[i]) for i in idx]
        per_doc = np.fromiter((p.shape[0] for p in sent_parts), dtype=np.int64, count=len(idx))
        sents = np.concatenate(sent_parts) if sent_parts else np.zeros(0, dtype=np.int64)
        lengths = sent_ends[sents] - self.offsets[sents]
        starts = self.offsets[sents]
        # gather every selected sentence's ids in one fancy-index
        total = int(lengths.sum())
        within = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        flat = self.ids[np.repeat(starts, lengths) + within]
        if self.word_dropout > 0.0:
            kept = self._rng.random(total) >= self.word_dropout
            flat = flat[kept]
            lengths = np.bincount(np.repeat(np.arange(len(sents)), lengths)[kept], minlength=len(sents))
        sent_offsets = np.zeros(len(sents), dtype=np.int64)
        np.cumsum(lengths[:-1], out=sent_offsets[1:])
        doc_offsets = np.zeros(len(idx), dtype=np.int64)
        np.cumsum(per_doc[:-1], out=doc_offsets[1:])
        return torch.from_numpy(flat), torch.from_numpy(sent_offsets), torch.from_numpy(doc_offsets)


def make_sent_textset(
    featurizer: Featurizer,
    docs: Sequence[list[list[str]]],
    frame: pd.DataFrame,
    *,
    polar: bool | None = None,
    name: str = "",
) -> SentTextSet:
    """Encode pre-tokenised sentences of `frame`'s documents (columns label, weight, domain).

    :param polar: force polarity-only loss on/off; default: on for IMDB rows.
    """
    get = featurizer.index.get
    sents_per_doc = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    per_sent = [[get(t, 1) for t in s] for d in docs for s in d]
    sent_lengths = np.fromiter((len(x) for x in per_sent), dtype=np.int64, count=len(per_sent))
    words = np.fromiter((i for x in per_sent for i in x), dtype=np.int64, count=int(sent_lengths.sum()))
    ids, sent_offsets, doc_offsets = pack_sentences(featurizer, words, sent_lengths, sents_per_doc)
    is_polar = (frame["domain"] == "imdb").to_numpy() if polar is None else np.full(len(frame), polar)
    return SentTextSet(
        labels=frame["label"].map(LABEL_ID).to_numpy(np.int64),
        weights=frame["weight"].to_numpy(np.float32),
        polar=is_polar,
        ids=ids,
        offsets=sent_offsets,
        name=name,
        doc_offsets=doc_offsets,
    )


def concat_sent_textsets(sets: Sequence[SentTextSet], name: str = "") -> SentTextSet:
    """One :class:`SentTextSet` from several."""
    sent_offsets, doc_offsets = [], []
    n_ids, n_sentences = 0, 0
    for part in sets:
        assert part.offsets is not None and part.doc_offsets is not None
        sent_offsets.append(part.offsets + n_ids)
        doc_offsets.append(part.doc_offsets + n_sentences)
        n_ids += part.ids.shape[0]
        n_sentences += part.offsets.shape[0]
    return SentTextSet(
        labels=np.concatenate([s.labels for s in sets]),
        weights=np.concatenate([s.weights for s in sets]),
        polar=np.concatenate([s.polar for s in sets]),
        ids=np.concatenate([s.ids for s in sets]),
        offsets=np.concatenate(sent_offsets),
        name=name,
        doc_offsets=np.concatenate(doc_offsets),
    )
