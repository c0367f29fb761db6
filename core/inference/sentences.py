"""Per-sentence sentiment: the interface aspect sentiment (and the dashboard's explanations) read.

Two functions, one record type:

* :func:`sentence_scores` — every sentence of every text (:func:`core.nlp.sentences.split_sentences`)
  with its probabilities;
* :func:`span_scores` — the same for spans the caller chose (aspect sentiment scores contrast clauses,
  :func:`core.nlp.sentences.split_units`, and only those that mention an aspect).

Today both score each span as a text of its own with the document model, all spans of a call in one
vectorised :meth:`~core.inference.predictor.Predictor.predict_proba` pass. The sentence-aware model
gives per-sentence probabilities natively; its port swaps the bodies below and keeps these
signatures (a span that is not a whole sentence may keep being scored on its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.nlp.sentences import split_sentences

if TYPE_CHECKING:
    from core.inference.predictor import Predictor

LABELS = ("negative", "neutral", "positive")  # the same tuple as core.inference.predictor.LABELS


@dataclass(frozen=True)
class SentenceScore:
    """One sentence (or clause) of a text: its character span, its text, and the model's
    probabilities (NaN when it has no word the model knows)."""

    start: int
    end: int
    text: str
    negative: float
    neutral: float
    positive: float

    @property
    def label(self) -> str:
        """The most probable label, or ``"unscorable"`` when the sentence has no known word."""
        probs = (self.negative, self.neutral, self.positive)
        if any(np.isnan(p) for p in probs):
            return "unscorable"
        return LABELS[int(np.argmax(probs))]


def span_scores(
    predictor: Predictor, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
) -> list[list[SentenceScore]]:
    """Score ``texts[i][start:end]`` for every span in ``spans[i]``, in one batched pass.

    Identical span texts (frequent in product reviews: "Great value.") are scored once.
    """
    pieces = [text[a:b] for text, own in zip(texts, spans, strict=True) for a, b in own]
    distinct = list(dict.fromkeys(pieces))
    probs = predictor.predict_proba(distinct) if distinct else np.empty((0, 3))
    row_of = {piece: row for row, piece in enumerate(distinct)}
    out: list[list[SentenceScore]] = []
    for text, own in zip(texts, spans, strict=True):
        scores = []
        for a, b in own:
            neg, neu, pos = probs[row_of[text[a:b]]].tolist()
            scores.append(SentenceScore(a, b, text[a:b], neg, neu, pos))
        out.append(scores)
    return out


def sentence_scores(predictor: Predictor, texts: Sequence[str]) -> list[list[SentenceScore]]:
    """Every sentence of each text with its probabilities, in order (an empty list for a blank text)."""
    return span_scores(predictor, texts, [split_sentences(text) for text in texts])
