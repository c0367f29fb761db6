"""Word contributions for the dashboard."""

from __future__ import annotations

from core.explain import explain
from core.predictor import Predictor


def test_negative_word_gets_negative_weight(predictor: Predictor) -> None:
    text = "The delivery was fast but the product is terrible"
    contributions = explain(predictor, text)
    by_word = {c.token: c for c in contributions}
    assert by_word["terrible"].weight < 0
    for c in contributions:
        assert text[c.start : c.end] == c.token  # spans point into the original text


def test_positive_word_gets_positive_weight(predictor: Predictor) -> None:
    by_word = {c.token: c.weight for c in explain(predictor, "Excellent quality, I recommend it")}
    assert by_word["Excellent"] > 0


def test_unscorable_text_has_no_contributions(predictor: Predictor) -> None:
    assert explain(predictor, "   ") == []
