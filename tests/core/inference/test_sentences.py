"""Aspect units scored: whole sentences take the model's own sentence probabilities, clauses are scored
alone, and the two paths agree where both apply (the sentence head reads a sentence on its own)."""

from __future__ import annotations

import numpy as np
import pytest

from core.inference.predictor import Predictor, get_predictor
from core.inference.sentences import span_scores, unit_scores
from core.nlp.sentences import split_sentences, split_units


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    return get_predictor()


TEXTS = [
    "Great sound but the battery died within a week. The strap is comfortable.\nShipping was fast!",
    "Love it. Would buy again.",
    "",
    "... !!!",
]


def test_whole_sentences_are_the_model_sentences_and_clauses_are_scored_alone(predictor: Predictor) -> None:
    units = [split_units(t) for t in TEXTS]
    scored = unit_scores(predictor, TEXTS, units)
    native = predictor.sentence_scores(TEXTS)
    for text, own, got, read in zip(TEXTS, units, scored, native, strict=True):
        assert [(s.start, s.end) for s in got] == own and all(s.text == text[s.start : s.end] for s in got)
        sentences = {(s.start, s.end): s for s in read}
        for s in got:
            if (s.start, s.end) in sentences:
                assert s == sentences[(s.start, s.end)]  # the predictor's own record, not a re-scoring
    assert [s.text for s in scored[0]][:2] == ["Great sound", "but the battery died within a week."]
    assert scored[0][0].label == "positive" and scored[0][1].label == "negative"
    assert (0, 11) not in set(split_sentences(TEXTS[0]))  # "Great sound" is a clause, not a sentence


def test_a_sentence_scores_the_same_read_in_its_review_or_alone(predictor: Predictor) -> None:
    spans = [split_sentences(t) for t in TEXTS]
    in_review, alone = unit_scores(predictor, TEXTS, spans), span_scores(predictor, TEXTS, spans)
    for a, b in zip(in_review, alone, strict=True):
        for x, y in zip(a, b, strict=True):
            assert (x.probs is None) == (y.probs is None)
            if x.probs is not None and y.probs is not None:
                assert np.allclose(x.probs, y.probs, atol=1e-5)
