"""Sentence verdicts and word contributions for the dashboard."""

from __future__ import annotations

from core.inference.explain import TokenContribution, explain, explain_sentences, notable
from core.inference.predictor import Predictor


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


def test_notable_keeps_words_near_the_strongest_strongest_first() -> None:
    words = [("died", -0.9), ("great", 0.002), ("not", -1.8), ("worth", 1.2), ("the", 0.0), ("days", 0.26)]
    contributions = [TokenContribution(w, i, i + 1, weight) for i, (w, weight) in enumerate(words)]
    assert [c.token for c in notable(contributions)] == ["not", "worth", "died"]  # 0.26 < 0.15 * 1.8
    assert [c.token for c in notable(contributions, share=0.1, limit=2)] == ["not", "worth"]
    assert notable([TokenContribution("the", 0, 3, 0.0)]) == [] and notable([]) == []


def test_saturated_text_lists_its_sentiment_words_only(predictor: Predictor) -> None:
    # 99 % positive: deleting one word barely moves it, and averaging gives tiny effects either sign
    text = "I love it, works perfectly and looks great"
    everything = explain(predictor, text)
    shown = notable(everything)
    assert shown and shown[0].weight > 0 and sum(c.weight for c in shown) > 0
    assert shown[0].token in {"love", "perfectly", "great"}  # the strongest effect is a sentiment word
    assert len(shown) <= sum(c.weight != 0 for c in everything)  # (the share rule: the test above)
    assert {"I", "it", "and"}.isdisjoint(c.token for c in shown)  # stopwords have no effect at all


def test_a_written_rating_is_explained_as_one_unit(predictor: Predictor) -> None:
    text = "Arrived on Monday. I give it 2 out of 10"
    by_word = {c.token: c.weight for c in explain(predictor, text)}
    assert "2 out of 10" in by_word and "out" not in by_word
    assert by_word["2 out of 10"] == min(by_word.values()) < 0  # the rating is what makes it negative


def test_sentences_carry_their_verdict_and_their_effect(predictor: Predictor) -> None:
    text = "The delivery was late and the box was crushed. The blender itself is excellent, I love it!"
    late, blender = explain_sentences(predictor, text)
    assert text[late.start : late.end] == late.text and late.text.startswith("The delivery")
    assert late.label == "negative" and late.weight < 0
    assert blender.label == "positive" and blender.weight > 0
    assert explain_sentences(predictor, "  ") == []
