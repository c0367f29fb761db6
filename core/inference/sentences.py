"""Sentiment of parts of a review: the units aspect sentiment reads (sentences and contrast clauses).

Whole sentences are the model's own: the sentence-aware network scores every sentence it reads
(:meth:`core.inference.predictor.Predictor.sentence_scores`, the one way to get a sentence's
probabilities), and :func:`unit_scores` takes those for a unit that is one of them. A contrast clause
("great sound" / "but the battery died", :func:`core.nlp.sentences.split_clauses`) is not a sentence the
model read, and a long review's middle sentences fall outside its `max_sentences` excerpt; those are
scored as texts of their own (:func:`span_scores`). Both give the predictor's
:class:`~core.inference.predictor.SentenceScore` (`probs` None for a unit without a word the model
knows), so a caller cannot tell the two paths apart except by the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from core.inference.predictor import SentenceScore

if TYPE_CHECKING:
    from core.inference.predictor import Predictor

Span = tuple[int, int]


def span_scores(
    predictor: Predictor, texts: Sequence[str], spans: Sequence[Sequence[Span]]
) -> list[list[SentenceScore]]:
    """Score ``texts[i][start:end]`` for every span in ``spans[i]`` as a text of its own, in one
    batched pass. Identical span texts (frequent in product reviews: "Great value.") are scored once.
    """
    pieces = [text[a:b] for text, own in zip(texts, spans, strict=True) for a, b in own]
    distinct = list(dict.fromkeys(pieces))
    probs = predictor.predict_proba(distinct) if distinct else np.empty((0, 3))
    row_of = {piece: row for row, piece in enumerate(distinct)}
    out: list[list[SentenceScore]] = []
    for text, own in zip(texts, spans, strict=True):
        scores = []
        for a, b in own:
            p = probs[row_of[text[a:b]]]
            known = None if np.isnan(p).any() else (float(p[0]), float(p[1]), float(p[2]))
            scores.append(SentenceScore(a, b, text[a:b], known))
        out.append(scores)
    return out


def unit_scores(
    predictor: Predictor, texts: Sequence[str], spans: Sequence[Sequence[Span]]
) -> list[list[SentenceScore]]:
    """A :class:`SentenceScore` for every span in ``spans[i]``, in order: the model's own probabilities
    for a span that is a sentence it read in ``texts[i]``, :func:`span_scores` for any other span."""
    with_spans = [i for i, own in enumerate(spans) if own]
    native: dict[int, dict[Span, SentenceScore]] = {i: {} for i in with_spans}
    read = predictor.sentence_scores([texts[i] for i in with_spans]) if with_spans else []
    for i, sentences in zip(with_spans, read, strict=True):
        native[i] = {(s.start, s.end): s for s in sentences}
    rest = [[span for span in own if span not in native.get(i, {})] for i, own in enumerate(spans)]
    alone = span_scores(predictor, texts, rest)
    out: list[list[SentenceScore]] = []
    for i, own in enumerate(spans):
        others = {(s.start, s.end): s for s in alone[i]}
        out.append([native[i][span] if span in native.get(i, {}) else others[span] for span in own])
    return out
